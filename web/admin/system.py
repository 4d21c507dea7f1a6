"""The system status page: what ``/readyz`` tells a load balancer, in words an administrator reads.

Readiness (database, search, queue), the search cluster's colour and nodes
(``indexer.cluster``: yellow after a lost node is degraded but serving, red
is not ready) and the queue's backlog per topic, all read when the page is
asked for. Open to whoever manages accounts: the administrator who runs the
site (it shows no personal data, but backlog and cluster layout are nobody
else's business).
"""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from kb.health import queue_backlog, readiness
from kb.permissions import require
from web.admin import bp
from web.sessions import current_actor, knowledge_base

#: Who may see the page (the administrator's action; see the module docstring).
SYSTEM_STATUS_ACTION = "users.manage"


@bp.get("/system")
@login_required
def system_status() -> str:
    require(current_actor(), SYSTEM_STATUS_ACTION)
    kb = knowledge_base()
    state = readiness(kb, kb.settings.ops.ready_max_queue_lag_s)
    try:
        with kb.sessions() as session:
            backlog = queue_backlog(session)
    except Exception:  # noqa: BLE001 - the readiness table already says the database is unreachable
        backlog = []
    return render_template(
        "admin/system.html",
        state=state,
        checks={c.name: c for c in state.checks},
        cluster=state.search_cluster,
        backend=kb.settings.search.backend,
        backlog=backlog,
        max_lag_s=kb.settings.ops.ready_max_queue_lag_s,
    )
