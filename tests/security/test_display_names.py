"""Uploaded file names are shown without control or invisible characters, on every upload path."""

from __future__ import annotations

import io
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.actors import Actor
from kb.consultations import invitations as cinv
from kb.consultations.attachments import Upload
from kb.filenames import MAX_NAME, display_name
from kb.models.consultation import ConsultationInvitation
from tests.security.conftest import PDF, World

HOSTILE_NAMES = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(list("\r\n\t\x00\x1b\u202e\u200b\u2066/\\=+-@."))),
    max_size=300)


@settings(max_examples=500, deadline=None)
@given(HOSTILE_NAMES)
def test_a_display_name_has_no_path_control_or_format_character(name: str) -> None:
    shown = display_name(name)
    assert shown and len(shown) <= MAX_NAME
    assert not any(unicodedata.category(ch)[0] == "C" for ch in shown), repr(shown)
    assert "/" not in shown and "\\" not in shown and shown == shown.strip(" .")


def test_bidi_override_and_line_breaks_are_gone() -> None:
    assert display_name("C:\\tmp\\report\u202efdp.exe") == "reportfdp.exe"
    assert display_name("a\r\nContent-Type: x.pdf") == "aContent-Type: x.pdf"
    assert display_name("\x00\u200b") == "file"


def test_an_event_material_uploaded_through_the_api_keeps_the_clean_name(world: World) -> None:
    client = world.site.app.test_client()
    resp = client.post(f"/api/v1/events/{world.ids['own']['event']}/materials",
                       headers={"Authorization": f"Bearer {world.tokens['organizer']}"},
                       data={"file": (io.BytesIO(PDF), HOSTILE_HEADER)}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    _assert_clean(resp.get_json()["filename"])


def test_an_advice_attachment_keeps_the_clean_name(world: World) -> None:
    """Submitted again in a transaction that is rolled back, so the shared world stays as it was."""
    kb = world.site.kb
    with kb.sessions() as s:
        invitation = s.get(ConsultationInvitation, world.ids["own"]["invitation"])
        invitation.advice, invitation.state, invitation.request.state = None, "accepted", "in_progress"
        s.flush()
        advice = cinv.submit_advice(s, Actor.system("names"), invitation, "意见", [Upload(HOSTILE, PDF)],
                                    data_dir=kb.settings.data_dir)
        names = [a.filename for a in advice.attachments]
        s.rollback()
    assert len(names) == 1
    _assert_clean(names[0])


HOSTILE = '报告\r\n=HYPERLINK("x")\u202e\x00.pdf'
# What survives a multipart header (browsers percent-encode line breaks and quotes in file names).
HOSTILE_HEADER = "报告\u202e=cmd|calc\u200b\u2066\t.pdf"


def _assert_clean(name: str) -> None:
    assert not any(unicodedata.category(ch)[0] == "C" for ch in name), repr(name)
    assert name.endswith(".pdf") and name.startswith("报告")
