"""Profiles: contact rules, self-service editing, proposals, certification, conflicts, outputs."""

from __future__ import annotations

import html as htmllib
import re

from flask.testing import FlaskClient

from kb.audit import recent
from kb.models import Talent
from tests.web.conftest import Site, csrf_token
from tests.web.data import OTHER, OWN, UNAVAILABLE


def _talent(site: Site, external_id: str) -> Talent:
    with site.kb.sessions() as s:
        t = s.query(Talent).filter_by(external_id=external_id).one()
        _ = list(t.outputs)
        return t


def _form(client: FlaskClient, external_id: str) -> dict[str, object]:
    """The edit form as the browser would submit it unchanged."""
    html = client.get(f"/talents/{external_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html)
    assert version, html[:2000]
    data: dict[str, object] = {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1),  # type: ignore[union-attr]
        "version": version.group(1),
        "bio": re.search(r'<textarea[^>]*id="bio"[^>]*>\s*(.*?)</textarea>', html, re.S).group(1),  # type: ignore[union-attr]
        "research_directions": re.search(
            r'<textarea[^>]*id="research_directions"[^>]*>\s*(.*?)</textarea>', html, re.S).group(1),  # type: ignore[union-attr]
        "languages": re.findall(r'name="languages" value="(\w+)" checked', html),
        "fields": re.findall(r'name="fields" value="(\w+)" checked', html),
    }
    for name in ("name", "name_en", "title", "organization", "email", "phone"):
        m = re.search(rf'id="{name}" [^>]*value="([^"]*)"', html) or re.search(rf'value="([^"]*)"[^>]*id="{name}"', html)
        data[name] = m.group(1) if m else ""
    for name in ("available_for_consultation", "accepts_event_invitations"):
        if re.search(rf'checked id="{name}"|id="{name}"[^>]*checked', html):
            data[name] = "y"
    return {k: (htmllib.unescape(v) if isinstance(v, str) else v) for k, v in data.items()}


def test_contact_hidden_from_organizers_and_audited_for_researchers(site: Site, clients: dict[str, FlaskClient]) -> None:
    organizer = clients["organizer"].get(f"/talents/{OWN}").get_data(as_text=True)
    assert "lin@example.org" not in organizer and "0755-00002001" not in organizer
    assert "联系方式仅向授权用户显示" in organizer

    researcher = clients["researcher"].get(f"/talents/{OWN}").get_data(as_text=True)
    assert "lin@example.org" in researcher and "本次查看已记录" in researcher
    with site.kb.sessions() as s:
        events = recent(s, action_prefix="contact.view", object_id=OWN)
        assert any(e.actor_label == "researcher" for e in events)

    # not available for consultation: researchers do not see the contact
    unavailable = clients["researcher"].get(f"/talents/{UNAVAILABLE}").get_data(as_text=True)
    assert "zhou@example.org" not in unavailable
    # the talent itself sees its own contact, without an audit entry
    own = clients["talent"].get(f"/talents/{OWN}").get_data(as_text=True)
    assert "lin@example.org" in own
    with site.kb.sessions() as s:
        assert not any(e.actor_label == "talent" for e in recent(s, action_prefix="contact.view"))


def test_talent_edits_its_own_profile(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    data = _form(c, OWN)
    data["bio"] = "新的个人简介：专注跨境金融与数字人民币。"
    data["research_directions"] = "跨境理财通产品设计与销售合规\n数字人民币跨境支付"
    resp = c.post(f"/talents/{OWN}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    t = _talent(site, OWN)
    assert t.bio.startswith("新的个人简介")
    assert t.research_directions == ["跨境理财通产品设计与销售合规", "数字人民币跨境支付"]
    page = c.get(f"/talents/{OWN}").get_data(as_text=True)
    assert "数字人民币跨境支付" in page and "已保存" in page
    history = c.get(f"/talents/{OWN}/history").get_data(as_text=True)
    assert "talent" in history and "数字人民币跨境支付" in history


def test_reviewed_facts_become_a_proposal_then_a_commissioner_approves(
    site: Site, clients: dict[str, FlaskClient]
) -> None:
    c = clients["talent"]
    data = _form(c, OWN)
    data["title"] = "行长、高级经济师"
    resp = c.post(f"/talents/{OWN}/edit", data=data, follow_redirects=True)
    assert "审核" in resp.get_data(as_text=True)
    assert _talent(site, OWN).title == "副行长、高级经济师"  # not yet
    reviews = clients["commissioner"].get("/admin/reviews").get_data(as_text=True)
    assert "行长、高级经济师" in reviews
    rev_id = re.search(r'action="/admin/reviews/(\d+)"', reviews).group(1)  # type: ignore[union-attr]
    token = csrf_token(clients["commissioner"], "/account")
    resp = clients["commissioner"].post(f"/admin/reviews/{rev_id}", data={"decision": "approve", "csrf_token": token})
    assert resp.status_code == 302
    assert _talent(site, OWN).title == "行长、高级经济师"
    again = clients["commissioner"].post(f"/admin/reviews/{rev_id}", data={"decision": "approve", "csrf_token": token})
    assert again.status_code == 409  # already reviewed


def test_talent_cannot_change_certified_facts(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    data = _form(c, OWN)
    assert 'name="category"' not in c.get(f"/talents/{OWN}/edit").get_data(as_text=True)
    data["category"] = "C"
    resp = c.post(f"/talents/{OWN}/edit", data=data)
    assert resp.status_code == 403
    assert _talent(site, OWN).category == "A"


def test_commissioner_certifies(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["commissioner"]
    data = _form(c, OTHER)
    data.update(category="B", certification_status="certified", certified_on="2025-06-30")
    resp = c.post(f"/talents/{OTHER}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    t = _talent(site, OTHER)
    assert t.category == "B" and t.certified_on.isoformat() == "2025-06-30"


def test_talent_cannot_edit_someone_else(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    assert c.get(f"/talents/{OTHER}/edit").status_code == 403
    token = csrf_token(c, "/account")
    resp = c.post(f"/talents/{OTHER}/edit", data={"csrf_token": token, "bio": "hijacked", "name": "x",
                                                   "research_directions": "x", "fields": "banking"})
    assert resp.status_code == 403
    assert "hijacked" not in _talent(site, OTHER).bio


def test_concurrent_edit_conflict_keeps_the_input(site: Site, clients: dict[str, FlaskClient]) -> None:
    talent, staff = clients["talent"], clients["admin"]
    mine = _form(talent, OWN)
    theirs = _form(staff, OWN)
    assert mine["version"] == theirs["version"]
    theirs["bio"] = "管理员修改的简介。"
    assert staff.post(f"/talents/{OWN}/edit", data=theirs).status_code == 302
    mine["bio"] = "我刚写好的一大段新简介，不能丢。"
    resp = talent.post(f"/talents/{OWN}/edit", data=mine)
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "其他人已修改了这份档案" in html
    assert "我刚写好的一大段新简介，不能丢。" in html   # the user's input is still in the form
    assert "管理员修改的简介。" in html                  # and the current version is shown
    assert _talent(site, OWN).bio == "管理员修改的简介。"
    # saving again from the conflict page applies the user's text deliberately
    new_version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)  # type: ignore[union-attr]
    mine["version"] = new_version
    assert talent.post(f"/talents/{OWN}/edit", data=mine).status_code == 302
    assert _talent(site, OWN).bio == "我刚写好的一大段新简介，不能丢。"


def test_validation_errors_show_on_the_form(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    data = _form(c, OWN)
    data["research_directions"] = ""
    resp = c.post(f"/talents/{OWN}/edit", data=data)
    assert resp.status_code == 400
    assert 'class="error"' in resp.get_data(as_text=True)


def test_outputs_add_edit_delete(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    version = _talent(site, OWN).version
    token = csrf_token(c, "/account")
    resp = c.post(f"/talents/{OWN}/outputs/new", data={
        "csrf_token": token, "version": version, "type": "report", "title": "粤港澳大湾区跨境金融监管协同研究",
        "year": "2025", "venue": "罗湖区金融工作局",
    })
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    t = _talent(site, OWN)
    out = next(o for o in t.outputs if o.title.startswith("粤港澳"))
    page = c.get(f"/talents/{OWN}").get_data(as_text=True)
    assert "粤港澳大湾区跨境金融监管协同研究" in page and f'id="output-{out.id}"' in page

    bad = c.post(f"/talents/{OWN}/outputs/{out.id}/edit", data={
        "csrf_token": token, "version": t.version, "type": "report", "title": "x", "year": "1800"})
    assert bad.status_code == 400
    stale = c.post(f"/talents/{OWN}/outputs/{out.id}/edit", data={
        "csrf_token": token, "version": t.version - 1, "type": "report", "title": "保留我的标题"})
    assert stale.status_code == 409 and "保留我的标题" in stale.get_data(as_text=True)
    ok = c.post(f"/talents/{OWN}/outputs/{out.id}/edit", data={
        "csrf_token": token, "version": t.version, "type": "report", "title": "跨境金融监管协同研究（修订版）", "year": "2025"})
    assert ok.status_code == 302
    t = _talent(site, OWN)
    assert any(o.title == "跨境金融监管协同研究（修订版）" for o in t.outputs)
    gone = c.post(f"/talents/{OWN}/outputs/{out.id}/delete", data={"csrf_token": token, "version": t.version, "confirmed": "1"})
    assert gone.status_code == 302
    assert all(o.id != out.id for o in _talent(site, OWN).outputs)
    assert c.post(f"/talents/{OWN}/outputs/{out.id}/delete",
                  data={"csrf_token": token, "version": _talent(site, OWN).version, "confirmed": "1"}).status_code == 404


def test_edit_reaches_search_at_once(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["talent"]
    data = _form(c, OWN)
    data["research_directions"] = str(data["research_directions"]) + "\n海绵城市韧性评估"
    assert c.post(f"/talents/{OWN}/edit", data=data).status_code == 302
    html = clients["researcher"].get("/search?q=海绵城市韧性评估").get_data(as_text=True)
    assert "林书衡" in html


def test_unknown_talent_is_404(clients: dict[str, FlaskClient]) -> None:
    resp = clients["researcher"].get("/talents/no-such-id")
    assert resp.status_code == 404 and "未找到" in resp.get_data(as_text=True)
