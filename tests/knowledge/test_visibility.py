"""Who finds which knowledge item: generated over kind × confidentiality × viewer role, unit and invitation.

The oracle below is written from issue 17's rules, not from ``kb.knowledge.audience``:
outputs and stage results are for every account; a request's questions follow
the request (public: everyone; otherwise the owning unit's researchers, the
invited talents and admins); advice of a public request is for every staff role, of a unit-only or
confidential one for the owning unit's researchers and admins, and always for
the talent who wrote it. Each item carries a planted marker; a viewer who may
not see an item never meets its marker, and ``total`` equals the visible count
(the backend filters, nothing is dropped afterwards).
"""

from __future__ import annotations

import pytest

from kb.actors import Actor
from kb.consultations.invitations import invite, submit_advice
from kb.knowledge.service import search_knowledge
from kb.models import Output, Talent
from kb.models.consultation import ConsultationRequest
from kb.roles import Role
from tests.consultations.conftest import UNIT, open_new

CONFIDENTIALITY = ("public", "unit", "confidential")
VIEWERS = ("c-1", "c-2", "c-3", "researcher", "other_researcher", "organizer", "commissioner", "admin")
NEED = "供应链金融 风险补偿 跨境人民币结算"
CONSULTATION_KINDS = ("advice", "question")
#: Accounts of the talents invited to every request (c-1 advises, c-2 does not).
INVITED = ("user-c-1", "user-c-2")


def may_see(viewer: Actor, kind: str, conf: str, unit: str, author: int | None) -> bool:
    owner = viewer.role == Role.ADMIN or (viewer.role == Role.RESEARCHER and viewer.unit == unit)
    if kind in ("output", "stage_result"):
        return True
    if kind == "question":
        return conf == "public" or owner or viewer.label in INVITED
    if author is not None and viewer.talent_id == author:
        return True
    return viewer.role != Role.TALENT if conf == "public" else owner


@pytest.fixture
def corpus(kb, people, tmp_path):
    """One request per confidentiality (c-1 and c-2 invited, c-1 advises), markers planted in each item."""
    items: dict[str, tuple[str, str, str, int | None]] = {}  # key → (marker, kind, conf, author)
    for conf in CONFIDENTIALITY:
        rid = open_new(kb, people["researcher"], confidentiality=conf,
                       title=f"供应链金融扶持政策 QMARK{conf}Q", questions=f"如何设计风险补偿机制？ QMARK{conf}Q")
        with kb.sessions() as s, s.begin():
            req = s.get(ConsultationRequest, rid)
            talents = [s.query(Talent).filter_by(external_id=t).one() for t in ("c-1", "c-2")]
            invitations = invite(s, people["researcher"], req, talents)
            advice = submit_advice(s, people["c-1"], invitations[0],
                                   f"建议设立供应链金融风险补偿资金池 AMARK{conf}A", data_dir=tmp_path)
            s.flush()
            items[f"question:{rid}"] = (f"QMARK{conf}Q", "question", conf, None)
            items[f"advice:{advice.id}"] = (f"AMARK{conf}A", "advice", conf, talents[0].id)
    with kb.sessions() as s:
        for o in s.query(Output).all():
            kind = "stage_result" if o.type in ("report", "policy_advice", "project") else "output"
            items[f"{kind}:{o.id}"] = (o.title, kind, "public", None)
    report = kb.sync_knowledge()
    assert report.failed == 0
    return items


@pytest.mark.parametrize("viewer", VIEWERS)
def test_each_viewer_finds_exactly_what_it_may_see(kb, people, corpus, viewer):
    actor = people[viewer]
    # Every request and advice mentions the need, so each one the viewer may see is a candidate.
    visible = {key for key, (_m, kind, conf, author) in corpus.items()
               if kind in CONSULTATION_KINDS and may_see(actor, kind, conf, UNIT, author)}
    response = search_knowledge(kb, actor, NEED, CONSULTATION_KINDS, limit=100)
    found = {f"{r.kind}:{r.id}" for r in response.results}
    assert found == visible
    assert response.total == len(visible)
    everything = search_knowledge(kb, actor, NEED, limit=100)
    assert {f"{r.kind}:{r.id}" for r in everything.results} >= visible
    assert everything.total == len(everything.results) <= len(
        [k for k, (_m, kind, conf, author) in corpus.items() if may_see(actor, kind, conf, UNIT, author)])
    for kinds in (("advice",), ("question",)):
        page = search_knowledge(kb, actor, NEED, kinds, limit=100)
        assert {f"{r.kind}:{r.id}" for r in page.results} == {k for k in visible if k.split(":")[0] in kinds}
        assert page.total == len([k for k in visible if k.split(":")[0] in kinds])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_planted_marker_never_reaches_a_viewer_who_may_not_see_it(kb, people, corpus, viewer):
    actor = people[viewer]
    for _key, (marker, kind, conf, author) in corpus.items():
        if kind in ("output", "stage_result") or may_see(actor, kind, conf, UNIT, author):
            continue
        response = search_knowledge(kb, actor, marker, limit=100)
        shown = " ".join([r.title for r in response.results] + [e.text for r in response.results for e in r.evidence])
        assert marker not in shown, (viewer, marker)


def test_paging_covers_the_visible_set_once(kb, people, corpus):
    actor = people["organizer"]
    seen, offset = [], 0
    while True:
        page = search_knowledge(kb, actor, NEED, limit=4, offset=offset)
        seen += [f"{r.kind}:{r.id}" for r in page.results]
        offset += 4
        if offset >= page.total:
            break
    assert len(seen) == len(set(seen)) == page.total
    visible = {k for k, (_m, kind, conf, author) in corpus.items() if may_see(actor, kind, conf, UNIT, author)}
    assert set(seen) <= visible and {k for k in visible if k.startswith(CONSULTATION_KINDS)} <= set(seen)


def test_results_link_to_the_expert_and_the_request(kb, people, corpus):
    response = search_knowledge(kb, people["researcher"], "风险补偿资金池", ("advice",), limit=10)
    assert response.results
    for r in response.results:
        assert r.talent_id == "c-1" and r.request_id.isdigit()
        assert r.match in ("strong", "partial", "weak") and r.evidence
