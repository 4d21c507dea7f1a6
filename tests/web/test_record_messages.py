"""A talent record's validation problems reach the page in the reader's words, next to the field.

kb validates records with a JSON schema; jsonschema's English ("'D' is not one
of ['A', 'B', 'C']", "is too long") must never reach the Chinese UI. Every
validator kind the schema uses has a catalogue code; bad records of each kind
are generated; a bad profile edit comes back with the typed text.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.errors import Message
from kb.talents.records import SCHEMA_CODES, validate_record
from kb.taxonomy import talent_schema
from tests.web.data import OWN
from tests.web.test_talents import _form
from web.messages import CATALOGUE, field_message

CJK = re.compile(r"[\u4e00-\u9fff]")
GOOD = {"id": "x-1", "name": "林书衡", "category": "A", "fields": ["banking"], "research_directions": ["跨境金融"]}


def schema_keywords(node: Any) -> set[str]:
    """Every validator keyword used anywhere in the schema."""
    found: set[str] = set()
    if isinstance(node, dict):
        found |= {k for k in node if k in SCHEMA_CODES or k in ("not", "oneOf", "anyOf", "allOf", "if")}
        for v in node.values():
            found |= schema_keywords(v)
    elif isinstance(node, list):
        for v in node:
            found |= schema_keywords(v)
    return found


def test_every_validator_kind_of_the_schema_has_a_code() -> None:
    used = schema_keywords(talent_schema())
    assert used, "the scan found no validator in the schema"
    assert used <= set(SCHEMA_CODES), f"give these validator kinds a code: {used - set(SCHEMA_CODES)}"
    assert set(SCHEMA_CODES.values()) | {"record.invalid", "record.not_object", "record.unknown_field",
                                         "record.url", "record.id_space"} <= set(CATALOGUE)


BAD_RECORDS = {
    "enum": {**GOOD, "category": "D"},
    "required": {k: v for k, v in GOOD.items() if k != "name"},
    "type": {**GOOD, "fields": "banking"},
    "max_length": {**GOOD, "research_directions": ["长" * 201]},
    "unknown_field": {**GOOD, "fields": ["no_such_field"]},
    "unknown_key": {**GOOD, "colour": "blue"},
}


@pytest.mark.parametrize("kind", sorted(BAD_RECORDS))
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_bad_records_are_explained_without_jsonschema_english(app: Flask, kind: str, lang: str) -> None:
    errors = validate_record(BAD_RECORDS[kind])
    assert errors, kind
    with app.test_request_context(), force_locale(lang):
        for e in errors:
            assert isinstance(e.message, Message), f"{e.field}: {e.message!r} has no code"
            words = field_message(e.message)
            assert words != str(e.message)
            assert "is not one of" not in words and "['" not in words and "is too long" not in words
            assert bool(CJK.search(words)) == (lang == "zh_CN"), words


@given(extra=st.integers(min_value=1, max_value=300),
       text=st.text(alphabet="低空经济无人机物流航线空域商业模式", min_size=1, max_size=1))
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_too_long_direction_comes_back_with_the_text(clients: dict[str, FlaskClient], extra: int,
                                                       text: str) -> None:
    client = clients["talent"]
    data = _form(client, OWN)
    long_line = text * (200 + extra)
    data["research_directions"] = f"{data['research_directions']}\n{long_line}"
    resp = client.post(f"/talents/{OWN}/edit", data=data)
    page = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 400
    assert long_line in page, "the typed direction is lost"
    assert "最多 200 个字符" in page
    assert "is too long" not in page
