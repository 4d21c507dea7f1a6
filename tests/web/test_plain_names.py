"""Names said once and in words: an English-only talent's name, a working language, the header's role.

Generated over every language code Babel knows a name for, every role, and
names that differ only in case or spacing.
"""

from __future__ import annotations

import re

import pytest
from babel import Locale
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.accounts import create_user
from kb.actors import Actor
from kb.roles import ALL_ROLES
from kb.talents.importer import import_file
from tests.web.conftest import Site, login
from tests.web.data import jsonl
from web.templating import account_caption, language_label, role_label, second_name

CJK = re.compile(r"[\u4e00-\u9fff]")
# Two-letter ISO 639-1 codes that both locales name (the codes a talent record may carry).
CODES = sorted(c for c in Locale.parse("en").languages if len(c) == 2 and c in Locale.parse("zh_CN").languages)


@pytest.mark.parametrize("code", CODES)
def test_every_language_code_has_a_name_in_both_languages(app: Flask, code: str) -> None:
    with app.test_request_context():
        with force_locale("zh_CN"):
            zh = language_label(code)
        with force_locale("en"):
            en = language_label(code)
    assert zh != code and CJK.search(zh), f"{code}: {zh!r} is not a Chinese name"
    assert en != code and not CJK.search(en), f"{code}: {en!r} is not an English name"


def test_polish_is_named(app: Flask) -> None:
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert language_label("pl") == "波兰语"
        with force_locale("en"):
            assert language_label("pl") == "Polish"


NAMES = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=30)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ 林书衡陈雅琳-", min_size=1, max_size=30)
       .filter(str.strip), st.sampled_from([str, str.upper, str.lower, lambda s: f" {s} "]))
@settings(max_examples=100)
def test_the_same_name_is_not_repeated(name: str, variant) -> None:  # type: ignore[no-untyped-def]
    assert second_name(name, variant(name)) == ""


@given(NAMES, NAMES)
def test_a_different_english_name_is_shown(name: str, english: str) -> None:
    shown = second_name(name, english)
    assert shown == ("" if english.strip().casefold() == name.strip().casefold() else english)


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_header_names_the_role_once(app: Flask, role: str, lang: str) -> None:
    with app.test_request_context(), force_locale(lang):
        label = str(role_label(role))
        assert account_caption(label, "someone", role) == label  # demo accounts are named after their role
        assert account_caption("林书衡", "lin", role) == f"林书衡 · {label}"
        assert account_caption(None, "lin", role) == f"lin · {label}"


def test_english_only_talent_and_role_named_account_on_pages(site: Site) -> None:
    """The pages themselves: the profile heading and a search hit name an English-only talent once;
    the header of an account called 政策研究员 reads it once."""
    english_only = {"id": "web-en-1", "name": "Harriet Vance", "name_en": "Harriet Vance", "category": "B",
                    "title": "Professor", "organization": "Hong Kong Port Institute", "fields": ["banking"],
                    "research_directions": ["Maritime insurance and trade finance"], "languages": ["en", "pl"],
                    "bio": "Maritime insurance.", "available_for_consultation": True}
    report = import_file(site.kb.sessions, __import__("pathlib").Path("x.jsonl"), Actor.system("test"),
                         data=jsonl([english_only]))
    assert report.ok, report.errors
    with site.kb.sessions() as s, s.begin():
        create_user(s, Actor.system("test"), "researcher-named", "researcher", "pw-Named-12345",
                    display_name="政策研究员", unit="罗湖区发展研究中心")
    site.kb.sync_search()
    client: FlaskClient = site.app.test_client()
    login(client, "researcher-named", "pw-Named-12345")
    profile = client.get("/talents/web-en-1").get_data(as_text=True)
    heading = profile.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert heading.count("Harriet Vance") == 1
    assert "波兰语" in profile
    assert "政策研究员 · 政策研究员" not in profile and "政策研究员" in profile
