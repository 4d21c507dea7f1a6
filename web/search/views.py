"""The search page (also the home page) and the similar-experts page."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request
from flask_login import login_required
from werkzeug.wrappers import Response

from kb.search_service import search_experts, similar_experts
from kb.talents.changes import get_talent
from web.search import bp
from web.search.page import result_page
from web.search.params import MAX_QUERY, SearchParams, availability_counts
from web.sessions import current_actor, db, knowledge_base


@bp.get("/")
@login_required
def home() -> str:
    return search()


@bp.route("/search", methods=["GET", "POST"])
@login_required
def search() -> str | Response:
    """GET: the shareable URL. POST: the form (see ``web.search.params`` on long needs)."""
    params = SearchParams.from_args(request.form if request.method == "POST" else request.args)
    if request.method == "POST" and params.shareable:
        return redirect(params.href, code=303)
    page_size = int(current_app.config["SEARCH_PAGE_SIZE"])
    page = None
    if params.active:
        kb, actor = knowledge_base(), current_actor()
        page = result_page(lambda query: search_experts(kb, actor, query), params, page_size)
    facets = page.facets if page and page.facets else {}
    return render_template(
        "search/search.html", params=params, page=page, facets=facets,
        available_counts=availability_counts(facets), max_query=MAX_QUERY,
    )


@bp.get("/talents/<external_id>/similar")
@login_required
def similar(external_id: str) -> str:
    talent = get_talent(db(), external_id)
    response = similar_experts(knowledge_base(), current_actor(), external_id, limit=10)
    return render_template("search/similar.html", talent=talent, response=response)
