"""RIS (CNKI, Wanfang, Web of Science, Scopus, Zotero, EndNote exports), read with rispy.

Each record is read on its own, so one broken record is reported by its
number and the others are kept.
"""

from __future__ import annotations

import re
from typing import Any

import rispy

from kb.talents.harvest.items import (
    Harvested,
    ItemError,
    Parsed,
    clean,
    first_text,
    natural_name,
    split_keywords,
    year_in,
)

_END = re.compile(r"^ER  -.*$", re.M)
_TAG = re.compile(r"^[A-Z][A-Z0-9]  -", re.M)


def split_records(text: str) -> list[str]:
    """The text of each record, ending with its ER line; a trailing record without one is kept too."""
    chunks, start = [], 0
    for match in _END.finditer(text):
        chunks.append(text[start:match.end()])
        start = match.end()
    rest = text[start:]
    if _TAG.search(rest):
        chunks.append(rest.rstrip() + "\nER  - \n")
    return [c for c in chunks if _TAG.search(c)]


def parse(text: str) -> list[Parsed]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    items: list[Parsed] = []
    for chunk in split_records(text):
        try:
            entries = rispy.loads(chunk.strip() + "\n", skip_unknown_tags=False)
        except Exception as exc:  # noqa: BLE001 - rispy raises IOError/ValueError/KeyError for bad records
            items.append(ItemError(f"unreadable RIS record: {str(exc)[:200]}"))
            continue
        if not entries:
            items.append(ItemError("unreadable RIS record: no TY line"))
            continue
        items.append(_item(entries[0]))
    return items


def _item(entry: dict[str, Any]) -> Harvested:
    kind = clean(entry.get("type_of_reference", "")).upper()
    authors = [clean(a) for a in (entry.get("authors") or entry.get("first_authors") or []) if clean(a)]
    authors = [natural_name(a) for a in authors]
    number = first_text(entry, "number") if kind in ("PAT", "STAND") else ""
    return Harvested(
        kind=kind,
        title=first_text(entry, "title", "primary_title", "translated_title", "short_title"),
        authors=authors,
        year=year_in(first_text(entry, "year", "publication_year", "date")),
        venue=first_text(entry, "secondary_title", "journal_name", "alternate_title3", "alternate_title1",
                     "alternate_title2", "publisher") if kind not in ("BOOK", "RPRT")
        else first_text(entry, "publisher", "secondary_title"),
        doi=first_text(entry, "doi"),
        number=number,
        abstract=first_text(entry, "abstract", "notes_abstract"),
        keywords=split_keywords([clean(k) for k in entry.get("keywords") or []]),
        url=first_text(entry, "urls"),
    )

