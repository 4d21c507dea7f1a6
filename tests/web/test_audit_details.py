"""An audit entry's details read as words, in Chinese and in English.

A consultation's trail and the audit log once showed ``advice: 12``, ``step: instructed``,
``was: registered`` and a token's ``expires_at`` as a UTC ISO string: kb writes keys and
codes the page had no words for. The keys are taken from kb's own ``audit(...)`` calls (so
a new key fails here until it has a label), and each key that holds codes is rendered for
every code it can hold.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from kb.consultations.enums import LedgerStep
from kb.events.enums import RegistrationStatus
from web.consultations.ledger_views import LEADER_LEVELS
from web.labels import DETAIL_KEYS, INTERNAL_KEYS, detail_items

KB = Path(__file__).resolve().parents[2] / "kb"
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"^[a-z]+(_[a-z]+)*$")


def written_detail_keys() -> dict[str, set[str]]:
    """key → the audit actions kb writes it with (literal dict details of ``audit(...)`` calls)."""
    found: dict[str, set[str]] = {}
    for path in KB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            if not (isinstance(node, ast.Call) and getattr(name, "id", getattr(name, "attr", "")) == "audit"):
                continue
            if len(node.args) < 6 or not isinstance(node.args[5], ast.Dict):
                continue
            action = ast.unparse(node.args[2]).strip("\"'f")
            for key in node.args[5].keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    found.setdefault(key.value, set()).add(action)
    return found


def test_the_scan_finds_the_keys() -> None:
    keys = written_detail_keys()
    assert {"talent", "step", "was", "expires_at", "advice"} <= set(keys)


@pytest.mark.parametrize("key", sorted(set(written_detail_keys()) - INTERNAL_KEYS))
def test_every_detail_key_has_words_in_both_languages(app: Flask, key: str) -> None:
    assert key in DETAIL_KEYS, f"kb writes the detail {key!r} to the audit log; add its label to web/labels.py"
    with app.test_request_context():
        zh = str(DETAIL_KEYS[key])
        with force_locale("en"):
            en = str(DETAIL_KEYS[key])
    assert CJK.search(zh), zh
    assert en != zh and not CJK.search(en), f"{key}: no English label ({en!r})"


@pytest.mark.parametrize("key", sorted(INTERNAL_KEYS))
def test_bookkeeping_numbers_are_not_shown(app: Flask, key: str) -> None:
    with app.test_request_context():
        assert detail_items({key: 12, "talent": "t-1"}, {"t-1": "林书衡"}) == [("人才", "林书衡")]


def _coded_cases() -> list[tuple[str, str, str]]:
    """(action, key, code) for every code a coded key holds."""
    cases = [("consultation.adopt", "step", s.value) for s in LedgerStep]
    cases += [("consultation.adopt", "leader_level", lv) for lv in LEADER_LEVELS]
    cases += [("event.cancel_registration", "was", s.value) for s in RegistrationStatus]
    cases += [("event.register", "status", s.value) for s in RegistrationStatus]
    cases += [("event.proposal_review", "status", s) for s in ("open", "accepted", "declined")]
    cases += [("event.propose", "kind", k) for k in ("topic", "lecture")]
    cases += [("consultation.export", "kind", k) for k in ("requests", "invitations", "quarterly")]
    cases += [("event.checkin", "method", m) for m in ("code", "list")]
    return cases


@pytest.mark.parametrize(("action", "key", "code"), _coded_cases())
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_codes_become_words(app: Flask, action: str, key: str, code: str, lang: str) -> None:
    with app.test_request_context(), force_locale(lang):
        [(label, words)] = detail_items({key: code}, {}, action)
    assert words != code and not CODE.match(words), f"{action} {key}={code!r} shown as {words!r}"
    assert bool(CJK.search(words)) == (lang == "zh_CN"), words
    assert bool(CJK.search(label)) == (lang == "zh_CN"), label


Shown = Callable[[dict[str, object]], str]


@pytest.fixture
def shown(app: Flask) -> Shown:
    def render(detail: dict[str, object]) -> str:
        with app.test_request_context():
            names = {"t-1": "林书衡", "t-2": "Priya Nair"}
            return " ".join(f"{k}：{v}" for k, v in detail_items(detail, names, "event.invite"))
    return render


def test_a_token_expiry_is_local_wall_time(shown: Shown) -> None:
    text = shown({"expires_at": datetime(2026, 12, 31, 20, 30).isoformat()})  # kb stores naive UTC
    assert "2027-01-01 04:30" in text and "T" not in text and "+00:00" not in text


def test_invited_and_skipped_talents_are_named_with_the_reason(shown: Shown) -> None:
    text = shown({"invited": ["t-1"], "skipped": {"t-2": "opted_out"}})
    assert "林书衡" in text and "Priya Nair（不接收活动邀请）" in text
    assert "t-1" not in text and "opted_out" not in text


def test_employment_rows_read_as_organization_and_years(shown: Shown) -> None:
    text = shown({"old": [], "new": [["深圳湾商业银行", 2019, 2022], ["罗湖区金融工作局", 2023, None]]})
    assert "深圳湾商业银行（2019–2022）、罗湖区金融工作局（2023）" in text and "[" not in text
