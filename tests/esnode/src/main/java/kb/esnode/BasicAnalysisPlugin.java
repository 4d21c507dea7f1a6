package kb.esnode;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.FilteringTokenFilter;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.core.FlattenGraphFilter;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexService;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.AnalyzerScope;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The commonly used part of the distribution's analysis-common module (not published as a jar),
 * written here on top of Lucene's own analysis classes: the same names and the main parameters,
 * so that index settings written for a real cluster also load on the test node. Anything not
 * listed fails loudly with "failed to find ..." rather than analysing differently.
 */
public final class BasicAnalysisPlugin extends Plugin implements AnalysisPlugin {

    // ---------------------------------------------------------------- tokenizers

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> m = new TreeMap<>();
        m.put("whitespace", (idx, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> new WhitespaceTokenizer(max));
        });
        m.put("keyword", (idx, env, name, s) -> {
            int buffer = s.getAsInt("buffer_size", 256);
            return TokenizerFactory.newFactory(name, () -> new KeywordTokenizer(buffer));
        });
        m.put("letter", (idx, env, name, s) -> TokenizerFactory.newFactory(name, LetterTokenizer::new));
        m.put("ngram", (idx, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            return TokenizerFactory.newFactory(name, () -> new NGramTokenizer(min, max));
        });
        m.put("edge_ngram", (idx, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            return TokenizerFactory.newFactory(name, () -> new EdgeNGramTokenizer(min, max));
        });
        m.put("pattern", (idx, env, name, s) -> {
            Pattern p = Pattern.compile(s.get("pattern", "\\W+"));
            int group = s.getAsInt("group", -1);
            return TokenizerFactory.newFactory(name, () -> new PatternTokenizer(p, group));
        });
        return m;
    }

    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return List.of(
            PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new),
            PreConfiguredTokenizer.singleton("keyword", KeywordTokenizer::new),
            PreConfiguredTokenizer.singleton("letter", LetterTokenizer::new)
        );
    }

    // ---------------------------------------------------------------- token filters

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> m = new TreeMap<>();
        m.put("lowercase", (idx, env, name, s) -> {
            String language = s.get("language");
            if (language != null) {
                throw new IllegalArgumentException("[lowercase] language [" + language + "] is not supported by the test node");
            }
            return normalizing(name, LowerCaseFilter::new);
        });
        m.put("uppercase", (idx, env, name, s) -> normalizing(name, UpperCaseFilter::new));
        m.put("asciifolding", (idx, env, name, s) -> {
            boolean keep = s.getAsBoolean("preserve_original", false);
            return normalizing(name, in -> new ASCIIFoldingFilter(in, keep));
        });
        m.put("cjk_width", (idx, env, name, s) -> normalizing(name, CJKWidthFilter::new));
        m.put("cjk_bigram", (idx, env, name, s) -> {
            int flags = CJKBigramFilter.HAN | CJKBigramFilter.HIRAGANA | CJKBigramFilter.KATAKANA | CJKBigramFilter.HANGUL;
            for (String script : s.getAsList("ignored_scripts")) {
                flags &= ~switch (script) {
                    case "han" -> CJKBigramFilter.HAN;
                    case "hiragana" -> CJKBigramFilter.HIRAGANA;
                    case "katakana" -> CJKBigramFilter.KATAKANA;
                    case "hangul" -> CJKBigramFilter.HANGUL;
                    default -> throw new IllegalArgumentException("[cjk_bigram] unknown script [" + script + "]");
                };
            }
            int finalFlags = flags;
            boolean unigrams = s.getAsBoolean("output_unigrams", false);
            return filter(name, in -> new CJKBigramFilter(in, finalFlags, unigrams));
        });
        m.put("trim", (idx, env, name, s) -> normalizing(name, TrimFilter::new));
        m.put("length", (idx, env, name, s) -> {
            int min = s.getAsInt("min", 0);
            int max = s.getAsInt("max", Integer.MAX_VALUE);
            return filter(name, in -> new LengthFilter(in, min, max));
        });
        m.put("truncate", (idx, env, name, s) -> {
            int length = s.getAsInt("length", 10);
            return filter(name, in -> new TruncateTokenFilter(in, length));
        });
        m.put("unique", (idx, env, name, s) -> filter(name, UniqueFilter::new));
        m.put("ngram", (idx, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            boolean keep = s.getAsBoolean("preserve_original", false);
            return filter(name, in -> new NGramTokenFilter(in, min, max, keep));
        });
        m.put("edge_ngram", (idx, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            boolean keep = s.getAsBoolean("preserve_original", false);
            return filter(name, in -> new EdgeNGramTokenFilter(in, min, max, keep));
        });
        m.put("porter_stem", (idx, env, name, s) -> filter(name, PorterStemFilter::new));
        m.put("kstem", (idx, env, name, s) -> filter(name, KStemFilter::new));
        m.put("stemmer", (idx, env, name, s) -> {
            String language = s.get("language", s.get("name", "english"));
            UnaryOperator<TokenStream> stem = switch (language) {
                case "english", "porter" -> PorterStemFilter::new;
                case "light_english", "kstem" -> KStemFilter::new;
                case "minimal_english" -> EnglishMinimalStemFilter::new;
                case "possessive_english" -> EnglishPossessiveFilter::new;
                default -> throw new IllegalArgumentException("[stemmer] language [" + language + "] is not supported by the test node");
            };
            return filter(name, stem);
        });
        m.put("synonym", (idx, env, name, s) -> new SynonymFactory(name, s, true));
        m.put("synonym_graph", (idx, env, name, s) -> new SynonymFactory(name, s, false));
        return m;
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        return List.of(
            PreConfiguredTokenFilter.singleton("uppercase", true, UpperCaseFilter::new),
            PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new),
            PreConfiguredTokenFilter.singleton("cjk_width", true, CJKWidthFilter::new),
            PreConfiguredTokenFilter.singleton("cjk_bigram", false, CJKBigramFilter::new),
            PreConfiguredTokenFilter.singleton("trim", true, TrimFilter::new),
            PreConfiguredTokenFilter.singleton("unique", false, UniqueFilter::new),
            PreConfiguredTokenFilter.singleton("porter_stem", false, PorterStemFilter::new),
            PreConfiguredTokenFilter.singleton("kstem", false, KStemFilter::new)
        );
    }

    // ---------------------------------------------------------------- char filters, analyzers

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of("html_strip", (idx, env, name, s) -> new CharFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Reader create(Reader reader) {
                return new HTMLStripCharFilter(reader);
            }
        });
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> m = new TreeMap<>();
        m.put("cjk", (idx, env, name, s) -> analyzer(name, new CJKAnalyzer()));
        m.put("english", (idx, env, name, s) -> analyzer(name, new EnglishAnalyzer()));
        return m;
    }

    // ---------------------------------------------------------------- helpers

    private static TokenFilterFactory filter(String name, Function<TokenStream, TokenStream> make) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return make.apply(in);
            }
        };
    }

    /** A filter that also applies to query terms of keyword normalizers and multi-term queries. */
    private static TokenFilterFactory normalizing(String name, Function<TokenStream, TokenStream> make) {
        return new NormalizingTokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return make.apply(in);
            }
        };
    }

    private static <A extends Analyzer> AnalyzerProvider<A> analyzer(String name, A analyzer) {
        return new AnalyzerProvider<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AnalyzerScope scope() {
                return AnalyzerScope.INDEX;
            }

            @Override
            public A get() {
                return analyzer;
            }
        };
    }

    /** Drops a token already seen in the same stream (the "unique" filter). */
    private static final class UniqueFilter extends FilteringTokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        UniqueFilter(TokenStream in) {
            super(in);
        }

        @Override
        protected boolean accept() {
            if (seen.contains(term.buffer(), 0, term.length())) {
                return false;
            }
            seen.add(term.toString());
            return true;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }

    /**
     * synonym / synonym_graph with inline rules ("synonyms": [...], Solr format). As in the
     * distribution, the rules are analysed with the char filters, tokenizer and filters that come
     * before this one in the analyzer.
     */
    private static final class SynonymFactory implements TokenFilterFactory {
        private final String name;
        private final Settings settings;
        private final boolean flatten;
        private final SynonymMap map;

        SynonymFactory(String name, Settings settings, boolean flatten) {
            this(name, settings, flatten, null);
        }

        private SynonymFactory(String name, Settings settings, boolean flatten, SynonymMap map) {
            this.name = name;
            this.settings = settings;
            this.flatten = flatten;
            this.map = map;
            if (settings.get("synonyms_path") != null || settings.get("synonyms_set") != null) {
                throw new IllegalArgumentException("[" + name + "] only inline \"synonyms\" are supported by the test node");
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public TokenStream create(TokenStream in) {
            if (map == null || map.fst == null) {
                return in;
            }
            TokenStream out = new SynonymGraphFilter(in, map, settings.getAsBoolean("ignore_case", false));
            return flatten ? new FlattenGraphFilter(out) : out;
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            return IDENTITY_FILTER;
        }

        @Override
        public TokenFilterFactory getChainAwareTokenFilterFactory(
            IndexService.IndexCreationContext context,
            TokenizerFactory tokenizer,
            List<CharFilterFactory> charFilters,
            List<TokenFilterFactory> previousTokenFilters,
            Function<String, TokenFilterFactory> allFilters
        ) {
            Analyzer chain = new Analyzer() {
                @Override
                protected TokenStreamComponents createComponents(String field) {
                    Tokenizer source = tokenizer.create();
                    TokenStream stream = source;
                    for (TokenFilterFactory f : previousTokenFilters) {
                        stream = f.getSynonymFilter().create(stream);
                    }
                    return new TokenStreamComponents(source, stream);
                }

                @Override
                protected Reader initReader(String field, Reader reader) {
                    for (CharFilterFactory c : charFilters) {
                        reader = c.create(reader);
                    }
                    return reader;
                }
            };
            SolrSynonymParser parser = new SolrSynonymParser(
                true, settings.getAsBoolean("expand", true), chain);
            try {
                parser.parse(new StringReader(String.join("\n", settings.getAsList("synonyms"))));
                return new SynonymFactory(name, settings, flatten, parser.build());
            } catch (IOException | ParseException e) {
                throw new IllegalArgumentException("[" + name + "] failed to build synonyms: " + e.getMessage(), e);
            } finally {
                chain.close();
            }
        }
    }
}
