"""Each format's real-looking test file: detected from content, read item by item, mapped to outputs."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.talents.harvest.detect import decode, detect, parse_file
from kb.talents.harvest.items import Harvested, ItemError
from kb.talents.harvest.mapping import to_output
from kb.talents.limits import ImportFileError, ImportLimits
from kb.talents.records import validate_record
from tests.harvest.conftest import DATA


def mapped(name: str, fmt: str = "auto") -> tuple[str, list]:
    found, items = parse_file((DATA / name).read_bytes(), fmt)
    return found, [to_output(i) if isinstance(i, Harvested) else i for i in items]


# file → (format, number of items, positions (1-based) that fail)
FILES = {
    "scholar.bib": ("bibtex", 7, {6}),
    "cnki_gbk.ris": ("ris", 4, set()),
    "scopus_wos.ris": ("ris", 3, {3}),
    "zotero.csl.json": ("csl-json", 4, {4}),
    "endnote.xml": ("endnote-xml", 4, {4}),
    "orcid_record.json": ("orcid", 5, set()),
    "orcid_record.xml": ("orcid", 3, set()),
    "patents_zh_gbk.csv": ("patents", 4, {4}),
    "patents_en.xlsx": ("patents", 2, set()),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_is_detected_and_read_item_by_item(name: str) -> None:
    fmt, count, failing = FILES[name]
    found, items = mapped(name)
    assert found == fmt
    assert len(items) == count
    failed = {n for n, i in enumerate(items, 1) if isinstance(i, ItemError) or i.error}
    assert failed == failing
    # Every readable item passes the import schema (what the normal write path checks).
    for item in items:
        if not isinstance(item, ItemError) and not item.error:
            rec = {"id": "x", "name": "x", "category": "A", "fields": ["banking"], "research_directions": ["x"],
                   "outputs": [item.values]}
            assert validate_record(rec) == [], (name, item.values)


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_named_format_reads_the_same_as_detection(name: str) -> None:
    assert mapped(name, FILES[name][0])[1] == mapped(name)[1]


def test_gbk_cnki_ris_keeps_chinese_titles_authors_and_keywords() -> None:
    raw = (DATA / "cnki_gbk.ris").read_bytes()
    assert decode(raw)[1] == "gb18030"
    _, items = mapped("cnki_gbk.ris")
    pool = items[1].values
    assert pool["title"] == "本外币一体化资金池的跨境资金流动风险监测"
    assert pool["authors"] == ["林书衡", "陈静", "Wei Zhang"]  # mixed list: "Zhang, Wei" in natural order
    assert pool["keywords"] == ["资金池", "跨境资金流动", "宏观审慎"]
    assert pool["doi"] == "10.13490/j.cnki.frr.2024.03.004"
    assert pool["venue"] == "金融监管研究" and pool["year"] == 2024
    assert [i.values["type"] for i in items] == ["paper", "paper", "paper", "report"]


def test_bibtex_latex_accents_dois_and_types() -> None:
    _, items = mapped("scholar.bib")
    hedge = items[1].values
    assert hedge["authors"] == ["Shuheng Lin", "Anna Müller"]  # "others" dropped, {\"u} decoded
    assert hedge["doi"] == "10.1016/j.pacfin.2024.102301"
    assert hedge["keywords"] == ["FX options", "exporters", "hedging"]
    assert [getattr(i, "values", {}).get("type") for i in items] == \
        ["paper", "paper", "paper", "book", "report", None, "paper"]
    assert "could not be read" in items[5].message


def test_ris_refused_link_is_left_out_with_a_note_and_doi_prefix_stripped() -> None:
    _, items = mapped("scopus_wos.ris")
    first = items[0]
    assert "url" not in first.values
    assert any("link left out" in n for n in first.notes)
    assert first.values["doi"] == "10.1016/j.jimonfin.2024.103012"
    assert items[1].values["type"] == "book" and items[1].values["venue"] == "Handbook of Chinese Corporate Finance"


def test_orcid_json_reads_the_preferred_source_fundings_and_distinctions() -> None:
    _, items = mapped("orcid_record.json")
    assert items[0].values["title"] == "Hedging Currency Risk with Options: Evidence from Shenzhen Exporters"
    assert items[0].values["url"] == "https://doi.org/10.1016/j.pacfin.2024.102301"
    assert [i.values["type"] for i in items] == ["paper", "book", "paper", "project", "award"]
    assert items[3].values["number"] == "72173088"


def test_orcid_xml_and_endnote_xml_read_namespaced_and_styled_text() -> None:
    _, orcid = mapped("orcid_record.xml")
    assert orcid[0].values["doi"] == "10.1108/cfri-01-2022-0012"
    assert orcid[2].values["venue"] == "Shenzhen Science and Technology Innovation Commission"
    _, endnote = mapped("endnote.xml")
    assert endnote[0].values["keywords"] == ["cash pooling", "macroprudential policy"]
    assert endnote[2].values == {**endnote[2].values, "type": "patent", "number": "CN115123456B"}


def test_patent_lists_with_chinese_and_english_headers() -> None:
    _, zh = mapped("patents_zh_gbk.csv")
    first = zh[0].values
    assert first["number"] == "CN115123456B" and first["year"] == 2023
    assert first["authors"] == ["林书衡", "陈静"] and first["venue"] == "深港湾商业银行股份有限公司"
    assert "法律状态: 授权" in first["abstract"] and "申请日: 2022-06-08" in first["abstract"]
    _, en = mapped("patents_en.xlsx")
    assert en[0].values["authors"] == ["Daniel Whitford", "Mei Ling Tan"]
    assert "status: Granted" in en[0].values["abstract"]


def test_unknown_content_and_oversized_files_are_one_file_error() -> None:
    with pytest.raises(ImportFileError, match="none of BibTeX"):
        parse_file("只是一段普通的文字。".encode())
    with pytest.raises(ImportFileError, match="at most 100"):
        parse_file((DATA / "scholar.bib").read_bytes(), limits=ImportLimits(max_file_bytes=100))


def test_xml_entity_expansion_is_refused_not_expanded() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<xml><records><record><titles><title>&b;</title></titles></record></records></xml>')
    fmt, items = parse_file(bomb.encode())
    assert fmt == "endnote-xml" and len(items) == 1 and isinstance(items[0], ItemError)


def _demo_titles() -> list[str]:
    import json

    from kb.demo import demo_files

    titles = []
    for path in demo_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            titles += [o["title"] for o in json.loads(line).get("outputs", [])
                       if any("\u4e00" <= ch <= "\u9fff" for ch in o["title"])]
    return titles


# Real Chinese titles (the demo corpus's), as a CNKI export of one to five records.
CHINESE_TITLES = st.lists(st.sampled_from(_demo_titles()), min_size=1, max_size=5)


@given(CHINESE_TITLES)
def test_chinese_exports_read_the_same_in_gbk_utf8_bom_and_utf16(titles: list[str]) -> None:
    text = "".join(f"TY  - JOUR\nTI  - {t}\nER  - \n\n" for t in titles)
    for raw in (text.encode("gb18030"), text.encode("gbk"), codecs.BOM_UTF8 + text.encode(), text.encode(),
                text.encode("utf-16")):
        assert decode(raw)[0] == text
        assert detect(raw) == "ris"
        assert [to_output(i).values["title"] for i in parse_file(raw)[1]] == titles


@pytest.mark.parametrize("title", ["Müller", "Łódź", "Ærø", "Ελληνικά", "Достоевский", "עברית", "Ñandú"])
def test_utf8_names_in_other_scripts_stay_utf8(title: str) -> None:
    text = f"TY  - JOUR\nTI  - {title}\nER  - \n"
    assert decode(text.encode()) == (text, "utf-8")


def test_a_gbk_title_whose_bytes_are_also_utf8_reads_as_chinese() -> None:
    """一 (D2 BB) and 亍 (D8 A1) are UTF-8 for Cyrillic һ and Arabic ء: a jumble of scripts, so GBK."""
    text = "TY  - JOUR\nTI  - 一亍\nER  - \n"
    assert text.encode("gbk").decode("utf-8")  # valid UTF-8 too
    assert decode(text.encode("gbk")) == (text, "gb18030")
