"""The English catalog is complete, up to date with the source, and its compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "web"
LC = WEB / "translations" / "en" / "LC_MESSAGES"


def test_every_message_is_translated_and_compiled() -> None:
    with (LC / "messages.po").open("rb") as f:
        po = read_po(f, locale="en")
    with (LC / "messages.mo").open("rb") as f:
        mo = read_mo(f)
    untranslated = [m.id for m in po if m.id and not m.string]
    assert not untranslated, f"translate these in messages.po: {untranslated[:10]}"
    assert not [m.id for m in po if m.id and "fuzzy" in m.flags]
    compiled = {m.id: m.string for m in mo if m.id}
    source = {m.id: m.string for m in po if m.id}
    assert compiled == source, "messages.mo is stale: run `pybabel compile -d web/translations`"


def test_every_string_in_the_source_is_in_the_catalog() -> None:
    """What `pybabel extract` (docs/web.md) finds must already be in messages.po: a string
    added to a template or view without running extract/update would show in Chinese
    on the English UI, and the completeness test above could not see it."""
    with (WEB / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, str(WEB / "babel.cfg"))
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    source = {m if isinstance(m, str) else m[0]
              for _file, _line, m, _comments, _context in extract_from_dir(str(WEB), method_map, options_map,
                                                                          keywords=keywords)}
    with (LC / "messages.po").open("rb") as f:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f, locale="en") if m.id}
    missing = sorted(source - catalog)
    assert not missing, f"run pybabel extract/update (docs/web.md) and translate: {missing[:10]}"
