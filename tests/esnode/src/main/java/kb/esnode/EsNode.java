package kb.esnode;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.MockNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.Closeable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts one Elasticsearch 8 node for local tests: loopback only, single-node discovery,
 * no security, data and logs under path.home.
 *
 * Arguments are settings, written like the distribution's: -Ekey=value (or --key=value).
 */
public final class EsNode {

    /** Plain-text log lines on stdout; scripts/services sends them to a file. */
    private static final String LOG4J_CONFIG = String.join("\n",
        "status = error",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%c{1.}] %m%n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.console.ref = console",
        "");

    private EsNode() {}

    public static void main(String[] args) throws Exception {
        Settings.Builder given = Settings.builder();
        for (String arg : args) {
            String kv = arg.startsWith("-E") ? arg.substring(2) : arg.startsWith("--") ? arg.substring(2) : null;
            int eq = kv == null ? -1 : kv.indexOf('=');
            if (eq <= 0) {
                System.err.println("esnode: unexpected argument " + arg + " (expected -Ekey=value)");
                System.exit(2);
            }
            given.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Settings user = given.build();

        Path home = Path.of(user.get("path.home", Files.createTempDirectory("esnode").toString())).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));

        Settings settings = Settings.builder()
            .put("cluster.name", "kb-test")
            .put("node.name", "esnode")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", "9250")
            .put("transport.port", "9350-9399")
            .put("discovery.type", "single-node")
            // a nearly full disk on a CI machine must not turn the test indices read-only
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put(user)
            .build();

        Path log4jConfig = home.resolve("config").resolve("log4j2.properties");
        if (!Files.exists(log4jConfig)) {
            Files.writeString(log4jConfig, LOG4J_CONFIG);
        }
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), null, () -> settings.get("node.name"));
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(settings.get("node.name"));
        LogConfigurator.setClusterName(settings.get("cluster.name"));
        LogConfigurator.configure(environment, true); // true: keep the console appender

        List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, RootInfoPlugin.class, BasicAnalysisPlugin.class);
        Node node = newNode(environment, plugins);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "esnode-shutdown"));

        node.start();
        System.out.println("esnode: started, http on " + settings.get("network.host") + ":" + settings.get("http.port"));
        stopped.await();
    }

    /**
     * MockNode is the one Node that loads plugins from the classpath. Its public constructors go
     * through ESTestCase (randomized port ranges, test bootstrap that refuses to run as root and
     * installs test-only hooks), so this builds the Environment itself and calls the constructor
     * that takes it.
     */
    private static Node newNode(Environment environment, Collection<Class<? extends Plugin>> plugins) throws Exception {
        Constructor<MockNode> ctor = MockNode.class.getDeclaredConstructor(
            Environment.class, Collection.class, boolean.class, Closeable.class);
        ctor.setAccessible(true);
        Closeable noPaths = () -> {};
        try {
            return ctor.newInstance(environment, plugins, true, noPaths);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }
}
