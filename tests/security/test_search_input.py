"""Search text is text: query syntax, wildcards, JSON, regexes, huge and control-laden strings.

tests/search/test_conformance.py checks such strings raise nothing. This
checks they match *nothing more* than their words: on both backends (the
embedded one always, Elasticsearch when configured), in lexical mode, a query
full of operators finds a subset of what the same words find with the
operators blanked out, and a query of operators alone finds nothing. Through
the API the same strings are a 200, never a 500 or a 400 from a parser.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import ExpertSearch, SearchQuery
from tests.search.conftest import SMALL_CORPUS, make_index, small_index  # noqa: F401 - fixtures by name
from tests.security.conftest import World

SYNTAX = re.compile(r"[:*?~^(){}\[\]\"/\\!+&|<>=-]")
PURE_SYNTAX = ["*", "*:*", "/.*/", "?", "**", "~", "(*)", '{"query":{"match_all":{}}}', "_all:*", "* OR *",
               "*^100", "[* TO *]", "\\*"]
WRAPPED = [
    "title:{w} AND bar*", '{{"query":{{"match":{{"name":"{w}"}}}}}}', "({w} OR b)~2", "/.*{w}.*/", "{w}*",
    "{w} OR *", "name:{w}^10", "{w} || _exists_:contact", '"{w}"~5', "{w} AND NOT x", "+{w} -y",
    "{w}\x00\x1f\x7f", "{w}" + "\u202e", "{w} " + "*" * 500,
]


def lexical_ids(search: ExpertSearch, text: str) -> set[str]:
    return {r.talent_id for r in search.search(SearchQuery(text, mode="lexical", limit=100,
                                                           with_facets=False)).results}


def plain(text: str) -> str:
    return " ".join(SYNTAX.sub(" ", text).split())


@pytest.mark.parametrize("text", PURE_SYNTAX)
def test_operators_alone_match_nothing(small_index: ExpertSearch, text: str) -> None:  # noqa: F811
    assert lexical_ids(small_index, text) == set()
    small_index.search(SearchQuery(text, limit=5))  # hybrid: no error either


WORDS = ["巨灾再保险", "Meng", "insurance"]


@pytest.mark.parametrize("pattern", WRAPPED)
def test_operators_never_widen_a_match(small_index: ExpertSearch, pattern: str) -> None:  # noqa: F811
    for word in WORDS:
        text = pattern.format(w=word)
        got, baseline = lexical_ids(small_index, text), lexical_ids(small_index, plain(text))
        assert got <= baseline, (text, got - baseline)
        assert len(got) < len(SMALL_CORPUS), f"{text!r} matched everyone"


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.lists(st.sampled_from([*':*?~^(){}[]"/\\!+-&|', " ", " AND ", " OR ", " NOT ", " TO "]),
                     max_size=12).map("".join),
       word=st.sampled_from(WORDS))
def test_random_operator_soup_never_widens(small_index: ExpertSearch, junk: str, word: str) -> None:  # noqa: F811
    text = f"{junk}{word}{junk[::-1]}"
    assert lexical_ids(small_index, text) <= lexical_ids(small_index, plain(text))


def test_huge_and_control_strings(small_index: ExpertSearch) -> None:  # noqa: F811
    for text in ("保" * 100_000, "a" * 100_000, "\x00" * 1000 + "保险", "".join(chr(c) for c in range(32)) * 100):
        small_index.search(SearchQuery(text, limit=5))
        assert lexical_ids(small_index, text) <= lexical_ids(small_index, plain(text)) | {""}


@pytest.fixture(scope="module")
def api(world: World) -> tuple[FlaskClient, dict[str, str]]:
    return world.site.app.test_client(), {"Authorization": f"Bearer {world.tokens['researcher']}"}


@pytest.mark.parametrize("text", ["*:*", "/.*/", '{"query":{"match_all":{}}}', "title:跨境 AND bar*", "(跨境 OR b)~2",
                                  "跨" * 100_000, "".join(chr(c) for c in range(1, 32)) + "跨境"])
def test_api_and_page_take_any_text(world: World, web_clients: dict[str, FlaskClient],
                                    api: tuple[FlaskClient, dict[str, str]], text: str) -> None:
    client, headers = api
    q = urllib.parse.quote(text)
    resp = client.get(f"/api/v1/search?q={q}", headers=headers)
    assert resp.status_code in (200, 400), resp.status_code  # 400 only for a query blank after trimming
    if resp.status_code == 400:
        assert not " ".join(text.split())
    page = web_clients["researcher"].get(f"/search?q={q}")
    assert page.status_code == 200
