"""BibTeX (Google Scholar, Zotero, JabRef, WoS and Scopus exports), read with bibtexparser."""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import convert_to_unicode

from kb.talents.harvest.items import (
    Harvested,
    ItemError,
    Parsed,
    clean,
    natural_name,
    split_keywords,
    year_in,
)

# An entry head, to find entries bibtexparser skipped: it drops a malformed entry silently.
_HEAD = re.compile(r"^\s*@(?!comment\b|string\b|preamble\b)(\w+)\s*[{(]\s*([^,\s]*)\s*,", re.I | re.M)
_BRACES = re.compile(r"[{}]")


def parse(text: str) -> list[Parsed]:
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    parser.customization = convert_to_unicode
    database = bibtexparser.loads(text, parser=parser)
    by_key = {e.get("ID", ""): e for e in database.entries}
    items: list[Parsed] = []
    for kind, key in _HEAD.findall(text):
        entry = by_key.pop(key, None)
        if entry is None:
            items.append(ItemError(f"the entry @{kind}{{{key}, …}} could not be read (unbalanced braces or quotes?)"))
        else:
            items.append(_item(entry))
    items.extend(_item(e) for e in by_key.values())  # entries whose head the pattern did not see
    return items


def _text(entry: dict[str, str], *keys: str) -> str:
    for key in keys:
        if entry.get(key):
            return clean(_BRACES.sub("", entry[key]))
    return ""


def _authors(value: str) -> list[str]:
    names = re.split(r"\s+and\s+", clean(_BRACES.sub("", value)), flags=re.I) if value else []
    return [natural_name(n) for n in names if n.strip() and n.strip().lower() != "others"]



def _item(entry: dict[str, str]) -> Harvested:
    return Harvested(
        kind=entry.get("ENTRYTYPE", "misc").lower(),
        title=_text(entry, "title"),
        authors=_authors(entry.get("author", "") or entry.get("editor", "")),
        year=year_in(entry.get("year") or entry.get("date")),
        venue=_text(entry, "journal", "journaltitle", "booktitle", "publisher", "school", "institution",
                    "organization", "howpublished"),
        doi=_text(entry, "doi"),
        number=_text(entry, "number") if entry.get("ENTRYTYPE", "").lower() in ("patent", "standard") else "",
        abstract=_text(entry, "abstract"),
        keywords=split_keywords(_text(entry, "keywords", "keyword")),
        url=_text(entry, "url"),
    )
