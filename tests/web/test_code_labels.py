"""Every consultation code has words in both languages, on pages (Flask-Babel) and in files (kb.labels).

Generated over every member of the enums and code tuples kb stores; a request
exported to CSV shows words, not ``in_progress`` or ``written``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from kb import labels
from kb.actors import Actor
from kb.consultations.enums import InvitationState, RequestState
from kb.consultations.export import requests_csv
from kb.consultations.requests import create_request
from kb.models import User
from kb.models.consultation import ADOPTION_LEVELS, CONFIDENTIALITY, FORMS
from tests.web.conftest import Site
from web.consultations.labels import adoption_label, form_label, invitation_label, secrecy_label, state_label

CJK = re.compile(r"[\u4e00-\u9fff]")
CODES: list[tuple[str, Iterable[str], dict[str, labels.Words], Callable[[str], str]]] = [
    ("request state", [s.value for s in RequestState], labels.REQUEST_STATES, state_label),
    ("invitation state", [s.value for s in InvitationState], labels.INVITATION_STATES, invitation_label),
    ("form", FORMS, labels.FORMS, form_label),
    ("confidentiality", CONFIDENTIALITY, labels.SECRECY, secrecy_label),
    ("adoption", ADOPTION_LEVELS, labels.ADOPTION, adoption_label),
]


@pytest.mark.parametrize(("kind", "codes", "table", "page_label"), CODES, ids=[c[0] for c in CODES])
def test_every_code_has_words_for_files_and_pages(app: Flask, kind: str, codes: Iterable[str],
                                                  table: dict[str, labels.Words],
                                                  page_label: Callable[[str], str]) -> None:
    for code in codes:
        assert code in table, f"{kind} {code!r} has no words in kb/labels.py"
        zh, en = table[code]
        assert CJK.search(zh) and not CJK.search(en) and en != code
        with app.test_request_context():
            on_page = page_label(code)
            with force_locale("en"):
                on_page_en = page_label(code)
        assert on_page == zh, f"{kind} {code!r}: the page says {on_page!r}, files say {zh!r}"
        assert on_page_en != code and not CJK.search(on_page_en)


def test_a_csv_export_shows_words_not_codes(site: Site) -> None:
    with site.kb.sessions() as s, s.begin():
        researcher = Actor.of(s.scalars(select(User).where(User.username == "researcher")).one())
        create_request(s, researcher, {
            "title": "导出测试咨询", "background": "背景", "questions": "问题？", "fields": ["banking"],
            "deadline": date.today() + timedelta(days=9), "experts_wanted": 1, "form": "written",
            "confidentiality": "unit", "parties": [],
        })
        text = requests_csv(s, researcher, tz="Asia/Shanghai").decode("utf-8-sig")
    row = next(line for line in text.splitlines() if "导出测试咨询" in line)
    assert "草稿 Draft" in row and "书面意见 Written advice" in row and "仅本单位 Own unit only" in row
    assert not re.search(r"(?<![\w])(draft|written|unit|banking)(?![\w ])", row)


NOTES = [("filed", "已创建", "Filed"), ("3 expert(s) invited", "已邀请 3 位专家", "3 experts invited"),
         ("web-001 accepted", "林书衡 接受了邀请", "林书衡 accepted"),
         ("every invited expert has answered or withdrawn", "所有受邀专家均已答复或退出",
          "Every invited expert has answered or withdrawn"),
         ("marked answered by hand", "手动标记为已答复", "Marked answered by hand"),
         ("研究员手写的备注", "研究员手写的备注", "研究员手写的备注")]


@pytest.mark.parametrize(("note", "zh", "en"), NOTES, ids=[n[0] for n in NOTES])
def test_kb_s_own_notes_are_worded_in_files_and_pages(app: Flask, note: str, zh: str, en: str) -> None:
    from web.labels import note_text

    names = {"web-001": "林书衡"}
    assert labels.note_zh(note, names) == zh
    with app.test_request_context():
        assert note_text(note, names) == zh
        with force_locale("en"):
            from flask import session

            session["lang"] = "en"
            assert note_text(note, names) == en
