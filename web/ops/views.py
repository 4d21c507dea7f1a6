"""``/healthz``, ``/readyz`` and ``/metrics``.

``/healthz`` says the process answers (no I/O: a load balancer polls it
often, and a slow database must not get healthy processes restarted).
``/readyz`` says whether to send traffic here (``kb.health.readiness``): 200
or 503 with a JSON body naming what is not ready. Both are open to anyone:
they reveal no personal data and no connection details.

``/metrics`` carries no personal data either (endpoint names, not paths;
no query text), but it does show traffic and backlog, so it is answered
only to requests from this machine, or to anyone presenting
``ops.metrics_token`` as a bearer token when one is configured (then the
token is required from everywhere, since behind a reverse proxy on the same
machine every request would look local).

None of them is cached: like every response of the app, they are sent with
``Cache-Control: no-store`` (``web.security``).
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import Response, jsonify, request

from kb.health import readiness
from web.ops import bp
from web.ops.metrics import CONTENT_TYPE_LATEST, exposition
from web.sessions import knowledge_base


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    kb = knowledge_base()
    state = readiness(kb, kb.settings.ops.ready_max_queue_lag_s)
    response = jsonify(state.as_dict())
    response.status_code = 200 if state.ok else 503
    return response


@bp.get("/metrics")
def metrics() -> Response:
    kb = knowledge_base()
    if not _may_read_metrics(kb.settings.ops.metrics_token):
        return Response("metrics are served to this machine or with the metrics token\n", 403, mimetype="text/plain")
    return Response(exposition(kb), 200, content_type=CONTENT_TYPE_LATEST)


def _may_read_metrics(token: str) -> bool:
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
