"""The knowledge search page (``/knowledge``) and the "advised before" list of a request page.

Both are thin: kb decides what the user may see (inside the index) and the
template shows it. The request page's list comes through a template function,
so the consultation views need no change to show it, and a search outage
leaves the request page working without the list.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from indexer import IndexMismatch, SearchUnavailable
from indexer.knowledge import KINDS
from kb.knowledge.service import advised_before, labels_for, search_knowledge
from kb.models.consultation import ConsultationRequest
from web.search import bp
from web.search.params import MAX_QUERY, page_number
from web.sessions import current_actor, db, knowledge_base

log = logging.getLogger(__name__)
MAX_KNOWLEDGE_PAGE = 1000


@bp.get("/knowledge")
@login_required
def knowledge() -> str:
    text = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    kinds = tuple(k for k in dict.fromkeys(request.args.getlist("kind")) if k in KINDS)
    page_size = int(current_app.config["SEARCH_PAGE_SIZE"])
    page = page_number(request.args.get("page"), MAX_KNOWLEDGE_PAGE)
    response = labels = None
    if text:
        response = search_knowledge(knowledge_base(), current_actor(), text, kinds,
                                    limit=page_size, offset=(page - 1) * page_size)
        labels = labels_for(db(), response.results)
    return render_template("search/knowledge.html", q=text, kinds=kinds, all_kinds=KINDS, response=response,
                           labels=labels, page=page, page_size=page_size, max_query=MAX_QUERY)


def advised_before_list(req: ConsultationRequest) -> dict[str, Any] | None:
    """Earlier advice on this request's need, with names; ``None`` when search is unavailable."""
    try:
        results = advised_before(knowledge_base(), current_actor(), req)
    except (SearchUnavailable, IndexMismatch) as exc:
        log.warning("advice search unavailable on request %s: %s", req.id, exc)
        return None
    return {"results": results, "labels": labels_for(db(), results)}


def knowledge_kind_label(kind: str) -> str:
    return {"advice": _("咨询意见"), "stage_result": _("阶段成果"), "output": _("研究成果"),
            "question": _("咨询需求")}.get(kind, kind)


@bp.app_context_processor
def _knowledge_helpers() -> dict[str, Any]:
    return {"advised_before_list": advised_before_list, "knowledge_kind_label": knowledge_kind_label}
