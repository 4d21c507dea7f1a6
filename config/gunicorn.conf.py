"""gunicorn configuration of `kb serve` (the static part; Python, as gunicorn expects).

`kb serve` reads this file, then sets what comes from the settings and its
options: bind (server.host, server.port), workers (server.workers) and
threads (server.threads). Point server.gunicorn_config (KB_GUNICORN_CONFIG)
at a copy to change anything below; keep the worker class unless you know why.
"""

# gthread with an accept-queue-aware keep-alive: a worker gives up an idle
# keep-alive connection while another client waits in the listen queue, so
# one slow client cannot hold a worker's only request thread (see the class
# docstring and docs/reliability.md for the measurements behind it).
worker_class = "web.gunicorn_worker.BalancedThreadWorker"
# A request that runs longer than this is stuck: the worker is restarted.
timeout = 60
# Access and error logs to stdout/stderr, where a container or systemd collects them.
accesslog = "-"
errorlog = "-"
# X-Forwarded-* headers are honoured from a proxy on this machine only; the
# app's own ProxyFix (web.proxy_count) decides how many hops it trusts.
forwarded_allow_ips = "127.0.0.1"
