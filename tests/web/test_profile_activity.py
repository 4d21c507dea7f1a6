"""A talent's consultation record and event history on its profile page.

Who sees which section is kb.permissions' answer (``consultation.record``:
the talent itself, researchers and staff; ``event.history``: the talent
itself, organizers and admins); each case is also checked against
``allowed`` so this table cannot drift from the model unnoticed.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.actors import Actor
from kb.models import User
from kb.permissions import allowed
from kb.talents.changes import get_talent
from tests.web.activity import EVENT_TITLE, REQUEST_TITLE, UNIT, Activity, add_activity
from tests.web.conftest import Site, login
from tests.web.data import OTHER, OWN, UNAVAILABLE

SEES_RECORD = {"talent", "researcher", "commissioner", "admin"}  # on OWN, whose account is "talent"
SEES_EVENTS = {"talent", "organizer", "admin"}
# The request is confidential to the researcher's unit: the commissioner (another unit) gets a row without it.
SEES_REQUEST_TITLE = {"talent", "researcher", "admin"}
VIEWERS = ["talent", "talent2", "researcher", "organizer", "commissioner", "admin"]


@pytest.fixture(scope="module")
def activity(site: Site) -> Activity:
    return add_activity(site, OWN)


def _profile(client: FlaskClient, external_id: str) -> str:
    resp = client.get(f"/talents/{external_id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_sections_follow_the_permission_rules(
    site: Site, clients: dict[str, FlaskClient], activity: Activity, viewer: str,
) -> None:
    with site.kb.sessions() as s:
        actor = Actor.of(s.scalar(select(User).where(User.username == viewer)))
        talent = get_talent(s, OWN)
        assert allowed(actor, "consultation.record", talent) == (viewer in SEES_RECORD)
        assert allowed(actor, "event.history", talent) == (viewer in SEES_EVENTS)

    html = _profile(clients[viewer], OWN)
    assert ('id="consultation-record"' in html) == (viewer in SEES_RECORD)
    assert (f'href="/consultations/{activity.request_id}"' in html) == (viewer in SEES_REQUEST_TITLE)
    assert (REQUEST_TITLE in html) == (viewer in SEES_REQUEST_TITLE)
    assert ("罗湖区跨境金融工作要点" in html) == (viewer in SEES_REQUEST_TITLE)  # where the advice was adopted
    assert ('id="event-history"' in html) == (viewer in SEES_EVENTS)
    assert (EVENT_TITLE in html) == (viewer in SEES_EVENTS)
    assert (f'href="/events/{activity.event_id}"' in html) == (viewer in SEES_EVENTS)


def test_record_rows_say_what_happened(clients: dict[str, FlaskClient], activity: Activity) -> None:
    html = _profile(clients["researcher"], OWN)
    record = html.split('id="consultation-record"', 1)[1].split("</section>", 1)[0]
    for text in (REQUEST_TITLE, UNIT, "书面意见", "已提交意见", "5/5", "部分采纳"):
        assert text in record, text
    events = _profile(clients["organizer"], OWN).split('id="event-history"', 1)[1].split("</section>", 1)[0]
    for text in (EVENT_TITLE, "已结束", "已报名", "是"):
        assert text in events, text
    assert f'href="/events/talents/{OWN}"' in events  # the full history page


def test_another_units_confidential_request_is_a_line_without_content(
    clients: dict[str, FlaskClient], activity: Activity,
) -> None:
    record = _profile(clients["commissioner"], OWN).split('id="consultation-record"', 1)[1].split("</section>", 1)[0]
    assert "非公开咨询" in record and UNIT in record and "5/5" in record
    assert REQUEST_TITLE not in record and "/consultations/" not in record


def test_own_profile_links_to_my_events(clients: dict[str, FlaskClient], activity: Activity) -> None:
    events = _profile(clients["talent"], OWN).split('id="event-history"', 1)[1].split("</section>", 1)[0]
    assert 'href="/events/mine"' in events


def test_empty_sections_for_a_talent_without_activity(clients: dict[str, FlaskClient], activity: Activity) -> None:
    own = _profile(clients["talent2"], UNAVAILABLE)  # talent2's own profile: allowed, nothing there yet
    assert "暂无咨询记录" in own and "暂无活动记录" in own
    admin = _profile(clients["admin"], OTHER)
    assert 'id="consultation-record"' in admin and 'id="event-history"' in admin
    other = _profile(clients["talent"], OTHER)  # another talent's profile: neither section
    assert 'id="consultation-record"' not in other and 'id="event-history"' not in other



def test_sections_in_english(site: Site, activity: Activity) -> None:
    c = site.app.test_client()
    login(c, "admin")
    c.get("/lang/en")
    html = _profile(c, OWN)
    for text in ("Consultation record", "Event record", "Written advice", "Partly adopted", "Registered"):
        assert text in html, text
