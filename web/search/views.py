"""The search page (also the home page) and the similar-experts page."""

from __future__ import annotations

import math

from flask import current_app, render_template, request
from flask_login import login_required

from kb.search_service import search_experts, similar_experts
from kb.talents.changes import get_talent
from web.search import bp
from web.search.params import SearchParams, availability_counts
from web.sessions import current_actor, db, knowledge_base


@bp.get("/")
@login_required
def home() -> str:
    return search()


@bp.get("/search")
@login_required
def search() -> str:
    params = SearchParams.from_args(request.args)
    page_size = int(current_app.config["SEARCH_PAGE_SIZE"])
    response = None
    if params.active:
        response = search_experts(knowledge_base(), current_actor(), params.query(page_size))
    pages = math.ceil(response.total / page_size) if response else 0
    facets = response.facets if response and response.facets else {}
    return render_template(
        "search/search.html", params=params, response=response, pages=min(pages, 100),
        facets=facets, available_counts=availability_counts(facets),
    )


@bp.get("/talents/<external_id>/similar")
@login_required
def similar(external_id: str) -> str:
    talent = get_talent(db(), external_id)
    response = similar_experts(knowledge_base(), current_actor(), external_id, limit=10)
    return render_template("search/similar.html", talent=talent, response=response)
