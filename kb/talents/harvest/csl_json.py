"""CSL-JSON (Zotero, Mendeley, citeproc, doi.org content negotiation): a list of item objects."""

from __future__ import annotations

from typing import Any

from kb.talents.harvest.items import (
    Harvested,
    ItemError,
    Parsed,
    clean,
    first_text,
    full_name,
    split_keywords,
    year_in,
)


def parse(data: Any) -> list[Parsed]:
    """``data`` is the decoded JSON: a list of items, or one item, or ``{"items": [...]}``."""
    if isinstance(data, dict):
        data = data.get("items", [data])
    if not isinstance(data, list):
        return [ItemError("CSL-JSON must be a list of items")]
    return [_item(entry) if isinstance(entry, dict) else ItemError("an item must be a JSON object") for entry in data]


def _name(person: Any) -> str:
    if not isinstance(person, dict):
        return clean(person)
    if person.get("literal"):
        return clean(person["literal"])
    return full_name(clean(person.get("family")), clean(person.get("given")))


def _year(entry: dict[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online", "created"):
        date = entry.get(key)
        if isinstance(date, dict):
            parts = date.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                return year_in(parts[0][0])
            if date.get("raw") or date.get("literal"):
                return year_in(date.get("raw") or date.get("literal"))
        elif date:
            return year_in(date)
    return None


def _item(entry: dict[str, Any]) -> Harvested:
    people = entry.get("author") or entry.get("inventor") or entry.get("editor") or []
    keywords = entry.get("keyword") or entry.get("keywords") or []
    kind = clean(entry.get("type")) or "article"
    return Harvested(
        kind=kind,
        title=first_text(entry, "title", "title-short"),
        authors=[n for n in (_name(p) for p in (people if isinstance(people, list) else [])) if n],
        year=_year(entry),
        venue=first_text(entry, "container-title", "publisher", "authority", "event-title", "collection-title"),
        doi=first_text(entry, "DOI", "doi"),
        number=first_text(entry, "number") if kind in ("patent", "standard") else "",
        abstract=first_text(entry, "abstract"),
        keywords=split_keywords(keywords if isinstance(keywords, list | str) else []),
        url=first_text(entry, "URL", "url"),
    )
