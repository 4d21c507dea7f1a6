"""Employment history (conflict-of-interest screening reads it): the kb operations and the edit page.

``talent.edit`` decides, as for the rest of the self-service profile: the
talent itself and staff may add and remove rows; every change is audited.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.actors import Actor
from kb.audit import recent
from kb.consultations.affiliations import (
    add_affiliation,
    list_affiliations,
    remove_affiliation,
    set_affiliations,
)
from kb.consultations.conflicts import build_context, conflicts_of
from kb.consultations.settings import ConsultationSettings
from kb.errors import NotFound, PermissionDenied, ValidationError
from kb.models import User, utcnow
from kb.models.consultation import ConsultationRequest
from kb.talents.changes import get_talent
from tests.web.conftest import Site, csrf_token, login
from tests.web.data import OTHER, OWN, UNAVAILABLE

THIS_YEAR = utcnow().year


def _actor(site: Site, username: str) -> Actor:
    with site.kb.sessions() as s:
        return Actor.of(s.scalar(select(User).where(User.username == username)))


def _rows(site: Site, external_id: str) -> list[tuple[str, int | None, int | None]]:
    with site.kb.sessions() as s:
        return [(a.organization, a.from_year, a.to_year) for a in list_affiliations(s, get_talent(s, external_id))]


def _add(client: FlaskClient, external_id: str, organization: str, from_year: str = "", to_year: str = ""):  # type: ignore[no-untyped-def]
    return client.post(f"/talents/{external_id}/affiliations", data={
        "csrf_token": csrf_token(client, "/account"), "affiliation-organization": organization,
        "affiliation-from_year": from_year, "affiliation-to_year": to_year,
    })


def _ids(client: FlaskClient, external_id: str) -> list[int]:
    html = client.get(f"/talents/{external_id}/edit").get_data(as_text=True)
    return [int(i) for i in re.findall(rf"/talents/{external_id}/affiliations/(\d+)/delete", html)]


# --- kb ------------------------------------------------------------------------------------------------------

def test_kb_add_and_remove_are_checked_and_audited(site: Site) -> None:
    talent_actor = _actor(site, "talent2")
    with site.kb.sessions() as s, s.begin():
        talent = get_talent(s, UNAVAILABLE)
        row = add_affiliation(s, talent_actor, talent, {"organization": " 深港数据交易所 ", "from_year": "2015",
                                                        "to_year": 2020})
        row_id = row.id
    assert _rows(site, UNAVAILABLE) == [("深港数据交易所", 2015, 2020)]
    # the conflict screening reads this list: its own talent cannot take an employer off it
    with site.kb.sessions() as s, pytest.raises(PermissionDenied):
        remove_affiliation(s, talent_actor, get_talent(s, UNAVAILABLE), row_id)
    assert _rows(site, UNAVAILABLE) == [("深港数据交易所", 2015, 2020)]
    with site.kb.sessions() as s, s.begin():
        remove_affiliation(s, _actor(site, "commissioner"), get_talent(s, UNAVAILABLE), row_id)
    assert _rows(site, UNAVAILABLE) == []
    with site.kb.sessions() as s:
        entries = recent(s, action_prefix="talent.affiliations", object_id=UNAVAILABLE)
        actions = {e.action: e for e in entries}
        assert set(actions) == {"talent.affiliations.add", "talent.affiliations.remove"}
        assert actions["talent.affiliations.add"].actor_label == "talent2"
        assert actions["talent.affiliations.remove"].actor_label == "commissioner"
        assert actions["talent.affiliations.remove"].detail["organization"] == "深港数据交易所"


def test_kb_replacing_the_list_may_add_but_only_staff_may_drop(site: Site) -> None:
    talent_actor = _actor(site, "talent2")
    with site.kb.sessions() as s, s.begin():
        set_affiliations(s, talent_actor, get_talent(s, UNAVAILABLE), [{"organization": "甲公司", "to_year": 2019}])
        set_affiliations(s, talent_actor, get_talent(s, UNAVAILABLE),  # the same row (any case) plus one
                         [{"organization": "甲公司", "to_year": "2019"}, {"organization": "乙研究院"}])
    with site.kb.sessions() as s, pytest.raises(PermissionDenied):
        set_affiliations(s, talent_actor, get_talent(s, UNAVAILABLE), [{"organization": "乙研究院"}])
    assert sorted(_rows(site, UNAVAILABLE)) == [("乙研究院", None, None), ("甲公司", None, 2019)]
    with site.kb.sessions() as s, s.begin():
        set_affiliations(s, _actor(site, "commissioner"), get_talent(s, UNAVAILABLE), [])
    assert _rows(site, UNAVAILABLE) == []


@pytest.mark.parametrize("username", ["talent", "researcher", "organizer"])
def test_kb_refuses_accounts_without_talent_edit(site: Site, username: str) -> None:
    with site.kb.sessions() as s, s.begin():
        kept = add_affiliation(s, Actor.system("t"), get_talent(s, OTHER), {"organization": "旧单位", "to_year": 2019})
        kept_id = kept.id
    actor = _actor(site, username)
    with site.kb.sessions() as s:
        other = get_talent(s, OTHER)
        with pytest.raises(PermissionDenied):
            add_affiliation(s, actor, other, {"organization": "任意单位"})
        with pytest.raises(PermissionDenied):
            remove_affiliation(s, actor, other, kept_id)
    with site.kb.sessions() as s, s.begin():
        remove_affiliation(s, Actor.system("t"), get_talent(s, OTHER), kept_id)


def test_kb_never_removes_another_talents_row_through_ones_own(site: Site) -> None:
    with site.kb.sessions() as s, s.begin():
        theirs = add_affiliation(s, Actor.system("t"), get_talent(s, OTHER), {"organization": "别人的单位"})
        theirs_id = theirs.id
    with site.kb.sessions() as s, pytest.raises(NotFound):
        remove_affiliation(s, _actor(site, "commissioner"), get_talent(s, OWN), theirs_id)
    assert ("别人的单位", None, None) in _rows(site, OTHER)
    with site.kb.sessions() as s, s.begin():
        remove_affiliation(s, Actor.system("t"), get_talent(s, OTHER), theirs_id)


@pytest.mark.parametrize(("row", "field"), [
    ({"organization": ""}, "organization"),
    ({"organization": "x" * 201}, "organization"),
    ({"organization": "某单位", "from_year": "1850"}, "from_year"),
    ({"organization": "某单位", "to_year": str(THIS_YEAR + 5)}, "to_year"),
    ({"organization": "某单位", "from_year": "2020", "to_year": "2018"}, "to_year"),
    ({"organization": "某单位", "from_year": "abc"}, "from_year"),
])
def test_kb_validates(site: Site, row: dict, field: str) -> None:
    with site.kb.sessions() as s, pytest.raises(ValidationError) as exc:
        add_affiliation(s, Actor.system("t"), get_talent(s, OWN), row)
    assert set(exc.value.errors) == {field}


def test_kb_refuses_the_same_row_twice(site: Site) -> None:
    with site.kb.sessions() as s, s.begin():
        add_affiliation(s, Actor.system("t"), get_talent(s, OWN), {"organization": "Acme Bank", "from_year": 2010})
    with site.kb.sessions() as s, pytest.raises(ValidationError):
        add_affiliation(s, Actor.system("t"), get_talent(s, OWN), {"organization": "acme bank", "from_year": "2010"})
    with site.kb.sessions() as s, s.begin():
        talent = get_talent(s, OWN)
        for a in list_affiliations(s, talent):
            remove_affiliation(s, Actor.system("t"), talent, a.id)


# --- the edit page -------------------------------------------------------------------------------------------

def test_talent_adds_its_own_but_only_staff_remove(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    page = c.get(f"/talents/{OWN}/edit").get_data(as_text=True)
    assert 'id="affiliations"' in page and "暂无登记的工作经历" in page
    resp = _add(c, OWN, "深港湾商业银行香港分行", "2008", "2016")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/talents/{OWN}/edit#affiliations")
    resp = _add(c, OWN, "罗湖区金融发展顾问委员会", "2021")  # no end year: still there (part-time)
    assert resp.status_code == 302
    page = c.get(f"/talents/{OWN}/edit").get_data(as_text=True)
    assert "已添加工作经历" in page
    assert "深港湾商业银行香港分行" in page and "2016" in page and "至今" in page
    assert _rows(site, OWN) == [("罗湖区金融发展顾问委员会", 2021, None), ("深港湾商业银行香港分行", 2008, 2016)]

    assert _ids(c, OWN) == [] and "只能由服务专员删除" in page  # no delete buttons for the talent
    staff = clients["commissioner"]
    row_ids = _ids(staff, OWN)
    assert len(row_ids) == 2
    resp = c.post(f"/talents/{OWN}/affiliations/{row_ids[0]}/delete", data={"csrf_token": csrf_token(c, "/account"), "confirmed": "1"})
    assert resp.status_code == 403 and len(_rows(site, OWN)) == 2
    for row_id in row_ids:
        resp = staff.post(f"/talents/{OWN}/affiliations/{row_id}/delete",
                          data={"csrf_token": csrf_token(staff, "/account"), "confirmed": "1"})
        assert resp.status_code == 302
    assert _rows(site, OWN) == []
    assert "已删除工作经历" in staff.get(f"/talents/{OWN}/edit").get_data(as_text=True)
    with site.kb.sessions() as s:
        assert len(recent(s, action_prefix="talent.affiliations", object_id=OWN, limit=100)) >= 4


def test_staff_edit_anyones_and_screening_sees_it(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["commissioner"]
    assert _add(c, OTHER, "前海文旅投资集团", "2019", str(THIS_YEAR - 1)).status_code == 302
    assert ("前海文旅投资集团", 2019, THIS_YEAR - 1) in _rows(site, OTHER)
    # The conflict rules read the row: the talent is screened out of a matter involving that company.
    with site.kb.sessions() as s:
        talent = get_talent(s, OTHER)
        request = ConsultationRequest(unit="罗湖区发展研究中心", parties=["前海文旅投资集团"])
        ctx = build_context(s, request, [talent.id], ConsultationSettings(), THIS_YEAR)
        assert [r.code for r in conflicts_of(ctx, talent)] == ["party_former_employer"]
    for row_id in _ids(c, OTHER):
        c.post(f"/talents/{OTHER}/affiliations/{row_id}/delete", data={"csrf_token": csrf_token(c, "/account"), "confirmed": "1"})
    assert _rows(site, OTHER) == []


@pytest.mark.parametrize("username", ["talent", "researcher", "organizer"])
def test_others_get_403_and_change_nothing(site: Site, clients: dict[str, FlaskClient], username: str) -> None:
    with site.kb.sessions() as s, s.begin():
        row = add_affiliation(s, Actor.system("t"), get_talent(s, OTHER), {"organization": "保留的单位"})
        row_id = row.id
    c = clients[username]
    assert _add(c, OTHER, "不该出现的单位").status_code == 403
    resp = c.post(f"/talents/{OTHER}/affiliations/{row_id}/delete", data={"csrf_token": csrf_token(c, "/account"), "confirmed": "1"})
    assert resp.status_code == 403
    assert _rows(site, OTHER) == [("保留的单位", None, None)]
    with site.kb.sessions() as s, s.begin():
        remove_affiliation(s, Actor.system("t"), get_talent(s, OTHER), row_id)


def test_another_talents_row_through_ones_own_url_is_404(site: Site, clients: dict[str, FlaskClient]) -> None:
    with site.kb.sessions() as s, s.begin():
        row = add_affiliation(s, Actor.system("t"), get_talent(s, OTHER), {"organization": "别人的单位"})
        row_id = row.id
    c = clients["commissioner"]
    resp = c.post(f"/talents/{OWN}/affiliations/{row_id}/delete", data={"csrf_token": csrf_token(c, "/account"), "confirmed": "1"})
    assert resp.status_code == 404
    assert ("别人的单位", None, None) in _rows(site, OTHER)
    with site.kb.sessions() as s, s.begin():
        remove_affiliation(s, Actor.system("t"), get_talent(s, OTHER), row_id)


def test_csrf_is_required(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    resp = c.post(f"/talents/{OWN}/affiliations", data={"affiliation-organization": "无令牌单位"})
    assert resp.status_code == 400
    assert _rows(site, OWN) == []


@pytest.mark.parametrize(("organization", "from_year", "to_year", "message"), [
    ("", "2010", "", "该字段是必填字段"),  # WTForms' own message, in the UI language
    ("某研究院", "二〇一〇", "", "不是有效的整数"),
    ("某研究院", "2020", "2018", "结束年份不能早于起始年份"),
    ("某研究院", "1800", "", "请填写 1900 年至明年之间的年份"),
    ("某研究院", "", str(THIS_YEAR + 3), "请填写 1900 年至明年之间的年份"),
])
def test_errors_show_on_the_form_with_the_input_kept(
    site: Site, clients: dict[str, FlaskClient], organization: str, from_year: str, to_year: str, message: str,
) -> None:
    resp = _add(clients["talent"], OWN, organization, from_year, to_year)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    section = html.split('id="affiliations"', 1)[1]
    assert message in section
    if organization:
        assert f'value="{organization}"' in section
    assert 'id="name"' in html  # the whole edit page, profile form included
    assert _rows(site, OWN) == []


def test_duplicate_is_refused_in_the_ui_language(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    assert _add(c, OWN, "深圳证券交易所", "2001", "2005").status_code == 302
    resp = _add(c, OWN, "深圳证券交易所", "2001", "2005")
    assert resp.status_code == 400
    assert "这段工作经历已在列表中" in resp.get_data(as_text=True)
    assert _rows(site, OWN) == [("深圳证券交易所", 2001, 2005)]
    for row_id in _ids(c, OWN):
        c.post(f"/talents/{OWN}/affiliations/{row_id}/delete", data={"csrf_token": csrf_token(c, "/account"), "confirmed": "1"})



def test_edit_page_in_english(site: Site) -> None:
    c = site.app.test_client()
    login(c, "talent")
    c.get("/lang/en")
    html = c.get(f"/talents/{OWN}/edit").get_data(as_text=True)
    for text in ("Employment history", "Organization name", "From (year)", "To (year)", "conflict-of-interest"):
        assert text in html, text
