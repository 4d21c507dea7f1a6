"""The English catalog is complete and its compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LC = Path(__file__).resolve().parents[2] / "web" / "translations" / "en" / "LC_MESSAGES"


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
