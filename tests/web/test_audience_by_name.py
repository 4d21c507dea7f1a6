"""An organizer adds a talent to an event's audience by name, never by an internal id.

The form once asked for "人才编号", an id no page shows; a wrong one ended on a
404 that lost the form, and a talent who opted out of event invitations was
"added" while he stayed excluded. Each way a typed name can go is generated
below, in Chinese and English: the page comes back with the name still typed,
the form open and the reason next to it, and nothing is added that cannot be.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.actors import Actor
from kb.events import manage
from kb.models import Event, Talent, User
from kb.models.event import EventAudienceEntry
from tests.events.conftest import event_values
from tests.web.conftest import Site, build_site, login, post
from tests.web.data import TALENTS

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for built in build_site(tmp_path_factory):
        with built.kb.sessions() as s, s.begin():
            s.scalar(select(Talent).where(Talent.external_id == "web-005")).accepts_event_invitations = False
            organizer = Actor.of(s.scalar(select(User).where(User.username == "organizer")))
            event = manage.create_event(s, organizer, event_values())
            manage.publish_event(s, organizer, event)
        yield built


@pytest.fixture(scope="module")
def event_id(site: Site) -> int:
    with site.kb.sessions() as s:
        return int(s.execute(select(Event.id)).scalar_one())


@pytest.fixture
def organizer(site: Site) -> FlaskClient:
    client = site.app.test_client()
    login(client, "organizer")
    return client


def _entries(site: Site, event_id: int) -> dict[str, str]:
    with site.kb.sessions() as s:
        rows = s.execute(select(Talent.external_id, EventAudienceEntry.action).join(
            Talent, Talent.id == EventAudienceEntry.talent_id).where(EventAudienceEntry.event_id == event_id))
        return dict(rows.all())


def test_the_form_asks_for_a_name_not_an_id(organizer: FlaskClient, event_id: int) -> None:
    html = organizer.get(f"/events/{event_id}/audience").get_data(as_text=True)
    assert 'name="expert"' in html and "姓名或单位" in html
    assert "人才编号" not in html


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("typed", "says"), [
    ("不存在的人", {"zh": "没有找到名为“不存在的人”的人才", "en": "No talent is named"}),
    ("深", {"zh": "位人才符合“深”", "en": "talents fit"}),  # several organizations start with 深
    ("黄海燕", {"zh": "不能添加 黄海燕：本人已选择不接收活动邀请", "en": "黄海燕 cannot be added"}),
    ("", {"zh": "请输入要添加的人才的姓名或单位", "en": "Enter the name or organization"}),
])
def test_a_name_that_cannot_be_added_comes_back_with_the_reason(
    site: Site, organizer: FlaskClient, event_id: int, typed: str, says: dict[str, str], lang: str,
) -> None:
    organizer.get(f"/lang/{lang}")
    before = _entries(site, event_id)
    resp = post(organizer, f"/events/{event_id}/audience/add", {"expert": typed})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    error = re.search(r'id="add-talent-error">([^<]*)<', html)
    assert error and says[lang] in error.group(1), error and error.group(1)
    if lang == "en":  # names are data; the sentence around them is English
        words = error.group(1)
        for t in TALENTS:
            words = words.replace(t["name"], "").replace(t["organization"], "")
        words = words.replace(typed, "") if typed else words
        assert not CJK.search(words), words
    assert re.search(r'<details id="add-talent" open', html)
    assert f'name="expert" required autocomplete="off" value="{typed}"' in html
    assert _entries(site, event_id) == before


def test_a_unique_name_is_added(site: Site, organizer: FlaskClient, event_id: int) -> None:
    organizer.get("/lang/zh")
    resp = post(organizer, f"/events/{event_id}/audience/add", {"expert": "陈雅琳"}, follow_redirects=True)
    assert "已将 陈雅琳 加入邀请名单" in resp.get_data(as_text=True)
    assert _entries(site, event_id).get("web-003") == "add"


def test_the_picked_talent_wins_over_an_ambiguous_name(site: Site, organizer: FlaskClient, event_id: int) -> None:
    resp = post(organizer, f"/events/{event_id}/audience/add", {"expert": "深", "talent_id": "web-004"})
    assert resp.status_code == 302
    assert _entries(site, event_id).get("web-004") == "add"


def test_the_list_says_who_cannot_be_invited(organizer: FlaskClient, event_id: int) -> None:
    organizer.get("/lang/zh")
    found = organizer.get(f"/events/{event_id}/audience/talents.json?q=黄").get_json()["experts"]
    assert [(e["name"], e["problems"]) for e in found] == [("黄海燕", ["本人已选择不接收活动邀请"])]
    assert organizer.get(f"/events/{event_id}/audience/talents.json?q=").get_json() == {"experts": []}


def test_only_the_organizer_looks_up(site: Site, event_id: int) -> None:
    client = site.app.test_client()
    login(client, "talent")
    assert client.get(f"/events/{event_id}/audience/talents.json?q=林").status_code in (403, 404)


def test_the_invite_action_is_above_the_list(organizer: FlaskClient, event_id: int) -> None:
    """30 suggestions with their evidence run ~13 000 px on a phone: the note and the button come first."""
    organizer.get("/lang/zh")
    html = organizer.get(f"/events/{event_id}/audience").get_data(as_text=True)
    first = html.index('<li class="result">')
    assert html.index('form="invite-form" class="button"') < first
    assert html.index('name="note" form="invite-form"') < first
    assert 'href="#add-talent"' in html[:first]
