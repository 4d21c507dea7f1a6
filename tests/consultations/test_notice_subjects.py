"""Notification subjects say what happened and to which request, in the recipient's language.

Every notice kind kb sends (found by scanning kb/ for ``tell_talent``/``tell_owners``)
has its words; each subject, in Chinese and English, for an open and a confidential
request, names no internal number ("[咨询 #12]") and keeps a confidential title out.
A real flow (invite, accept, advise) reaches a Chinese- and an English-speaking
account each in its own language.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from kb.consultations import notices
from kb.consultations.invitations import accept, invite, submit_advice
from kb.consultations.requests import get_request
from kb.models import Notification, User
from kb.notifications import subjects
from kb.talents import changes as ops
from tests.consultations.conftest import open_new

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff08\uff09\uff1a]")


def kinds_sent() -> set[str]:
    """The kind (first string argument) of every tell_talent/tell_owners call in kb/."""
    found = set()
    for path in (ROOT / "kb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "tell_talent", "tell_owners"):
                literal = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                assert literal, f"{path}:{node.lineno}: the notice kind must be a literal"
                found.add(literal[0])
    return found


def test_every_kind_sent_has_its_words() -> None:
    sent = kinds_sent()
    assert len(sent) >= 8
    assert sent <= set(notices.WHAT), f"no subject words for {sorted(sent - set(notices.WHAT))}"


def _request(title: str, confidentiality: str) -> Any:
    return SimpleNamespace(id=12, title=title, confidentiality=confidentiality)


TITLES = st.text(alphabet=st.sampled_from(list("罗湖区低空经济无人机物流政策咨询 Drone logistics")), min_size=1,
                 max_size=80).filter(lambda t: t.strip())


@pytest.mark.parametrize("kind", sorted(notices.WHAT))
@pytest.mark.parametrize("language", ["zh", "en"])
@given(title=TITLES)
def test_a_subject_says_what_happened_to_which_request(kind: str, language: str, title: str) -> None:
    zh, en = notices.WHAT[kind]
    said = notices.subject(_request(title, "unit"), kind, language)
    assert "#" not in said and "[" not in said and "12" not in said
    assert said.startswith(en if language == "en" else zh)
    short = subjects.shortened(title)
    assert said.endswith(short) and len(short) <= subjects.TITLE_CHARS and "\n" not in short
    if len(" ".join(title.split())) > subjects.TITLE_CHARS:
        assert short.endswith("…")
    if language == "en":
        assert not CJK.search(said[: -len(short)]), said  # only the title itself may be Chinese


@pytest.mark.parametrize("kind", sorted(notices.WHAT))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_confidential_subject_leaves_the_title_out(kind: str, language: str) -> None:
    said = notices.subject(_request("外单位保密事项：科技园区", "confidential"), kind, language)
    assert "科技园区" not in said and "#" not in said
    assert bool(CJK.search(said)) is (language == "zh")


def test_each_recipient_reads_the_subject_in_its_language(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        for name in ("researcher", "user-c-3"):
            s.scalars(select(User).where(User.username == name)).one().preferred_language = "en"
    rid = open_new(kb, people["researcher"], title="罗湖区供应链金融扶持政策咨询")
    with kb.sessions() as s, s.begin():
        req = get_request(s, people["researcher"], rid)
        inv_en, inv_zh = invite(s, people["researcher"], req, [ops.get_talent(s, "c-3"), ops.get_talent(s, "c-5")])
        accept(s, people["c-5"], inv_zh)
        submit_advice(s, people["c-3"], inv_en, "建议设立风险补偿资金池。", data_dir=tmp_path)
    with kb.sessions() as s:
        titles = {(n.user_id, n.kind): n.title for n in s.scalars(select(Notification))}
        ids = {u.username: u.id for u in s.scalars(select(User))}
    assert titles[(ids["user-c-3"], "consultation.invited")] == "Invitation to advise: 罗湖区供应链金融扶持政策咨询"
    assert titles[(ids["user-c-5"], "consultation.invited")] == "咨询邀请：罗湖区供应链金融扶持政策咨询"
    assert titles[(ids["researcher"], "consultation.accepted")].startswith("An expert accepted: ")
    assert titles[(ids["researcher"], "consultation.advice")].startswith("Advice received: ")
