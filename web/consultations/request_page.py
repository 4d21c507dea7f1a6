"""The consultation request page, rendered for a plain visit and again after a refused
hand-addition (with what was typed and why it was refused), so the form is never lost."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request

from indexer import SearchUnavailable
from kb.consultations import outcome, requests
from kb.consultations.draw_effect import latest_effect
from kb.consultations.experts import ExpertChoice
from kb.consultations.recommend import SHOWN_DEFAULT, SHOWN_MAX, recommend
from kb.consultations.states import INVITING, SELECTING
from kb.visibility import request_managed, visible_invitations
from web.consultations import consultation_settings as _settings
from web.sessions import current_actor, db, knowledge_base


@dataclass
class AddForm:
    """The hand-addition form as the researcher left it, with the page's answer."""

    expert: str = ""
    talent_id: str = ""
    reason: str = ""
    error: str = ""
    reasons: list[str] = field(default_factory=list)  # why screening refuses the expert, in words
    choices: list[ExpertChoice] = field(default_factory=list)  # several experts fit the name

    @property
    def open(self) -> bool:
        return bool(self.error or self.choices)


def render(rid: int, add: AddForm | None = None) -> tuple[str, int]:
    actor = current_actor()
    req = requests.get_request(db(), actor, rid)
    manage = request_managed(actor, req)
    rec, search_down = None, False
    if manage and req.state in INVITING:
        try:
            rec = recommend(knowledge_base(), db(), actor, req, settings=_settings())
        except SearchUnavailable:
            search_down = True
    own = [i for i in visible_invitations(actor, req) if i.talent_id == actor.talent_id]
    settings = _settings()
    deadlines = {i.advice.id: outcome.rating_deadline(i.advice, settings) for i in req.invitations if i.advice}
    shown = SHOWN_MAX if request.args.get("all") else SHOWN_DEFAULT
    unreachable = [c for c in rec.shown(shown) if not c.reachable and not c.invitation_state] if rec else []
    can_add = manage and req.state in SELECTING
    html = render_template(
        "consultations/request.html", req=req, manage=manage, rec=rec, search_down=search_down, own=own,
        rating_deadlines=deadlines, shown=shown, moves=requests.moves_now(actor, req), add=add or AddForm(),
        can_add=can_add, unreachable=unreachable, effect=latest_effect(db(), req.draws) if manage else None,
        fair_window=settings.fair_draw_window_days, fair_strength=settings.fair_draw_strength)
    return html, (400 if add is not None and add.open else 200)
