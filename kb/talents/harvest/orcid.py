"""An ORCID record as downloaded from orcid.org (JSON or XML, API 3.0): the work
summaries, funding summaries (projects) and distinctions (awards).

A summary has no abstract or author list (those are in the full work, which
a download does not include); titles, types, dates, journals, DOIs and links are.
Each group lists one work as several sources saw it; the source the owner
preferred (highest display-index) is the one read.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from kb.talents.harvest.items import Harvested, ItemError, Parsed, clean, year_in
from kb.talents.harvest.xmltext import child, children, descendants, local, parse_xml, text


def looks_like_json(data: Any) -> bool:
    return isinstance(data, dict) and any(k in data for k in ("orcid-identifier", "activities-summary", "record"))


def looks_like_xml(source: str) -> bool:
    head = source[:4000]
    return "orcid.org/ns" in head and any(k in head for k in ("record", "activities", "works"))


# --- JSON ------------------------------------------------------------------------------------------------

def _v(node: Any, *path: str) -> Any:
    """``node[path...]``, unwrapping ORCID's ``{"value": ...}`` boxes; None where anything is missing."""
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    if isinstance(node, dict) and "value" in node:
        node = node["value"]
    return node


def _external(summary: dict[str, Any], kind: str) -> str:
    ids = _v(summary, "external-ids", "external-id") or []
    for ext in ids if isinstance(ids, list) else []:
        if isinstance(ext, dict) and clean(ext.get("external-id-type")).lower() == kind:
            return clean(_v(ext, "external-id-value"))
    return ""


def _display_index(value: object) -> int:
    """A summary's display-index (the owner's preference among sources); 0 when absent or not a number."""
    text = str(value or "0")
    return int(text) if text.isdigit() else 0


def _preferred(summaries: list[Any]) -> dict[str, Any] | None:
    dicts = [s for s in summaries if isinstance(s, dict)]
    if not dicts:
        return None
    return max(dicts, key=lambda s: _display_index(s.get("display-index")))


def parse_json(data: Any) -> list[Parsed]:
    record = data.get("record", data) if isinstance(data, dict) else {}
    activities = record.get("activities-summary") or {}
    if not isinstance(activities, dict):
        return [ItemError("the ORCID record has no activities")]
    items: list[Parsed] = []
    for group in _v(activities, "works", "group") or []:
        work = _preferred(group.get("work-summary", []) if isinstance(group, dict) else [])
        if work is None:
            items.append(ItemError("a work group without a work summary"))
            continue
        items.append(Harvested(
            kind=clean(work.get("type")) or "other",
            title=clean(_v(work, "title", "title")) or clean(_v(work, "title", "translated-title")),
            year=year_in(_v(work, "publication-date", "year")),
            venue=clean(_v(work, "journal-title")),
            doi=_external(work, "doi"),
            number=_external(work, "pat"),
            url=clean(_v(work, "url")),
        ))
    for group in _v(activities, "fundings", "group") or []:
        funding = _preferred(group.get("funding-summary", []) if isinstance(group, dict) else [])
        if funding is None:
            continue
        grant = _external(funding, "grant_number")
        items.append(Harvested(
            kind="funding", title=clean(_v(funding, "title", "title")),
            year=year_in(_v(funding, "start-date", "year")),
            venue=clean(_v(funding, "organization", "name")), number=grant, url=clean(_v(funding, "url")),
        ))
    for group in _v(activities, "distinctions", "affiliation-group") or []:
        for summary in group.get("summaries", []) if isinstance(group, dict) else []:
            award = summary.get("distinction-summary") if isinstance(summary, dict) else None
            if isinstance(award, dict):
                items.append(Harvested(
                    kind="distinction", title=clean(award.get("role-title")),
                    year=year_in(_v(award, "start-date", "year")),
                    venue=clean(_v(award, "organization", "name")), url=clean(_v(award, "url")),
                ))
    return items


# --- XML -------------------------------------------------------------------------------------------------

def _xml_external(summary: Element, kind: str) -> str:
    for ext in descendants(child(summary, "external-ids") or summary, "external-id"):
        if text(child(ext, "external-id-type")).lower() == kind:
            return text(child(ext, "external-id-value"))
    return ""


def _xml_preferred(group: Element, name: str) -> Element | None:
    found = list(children(group, name))
    if not found:
        return None
    return max(found, key=lambda e: _display_index(e.get("display-index")))


def parse_xml_record(source: str) -> list[Parsed]:
    try:
        root = parse_xml(source)
    except Exception as exc:  # noqa: BLE001 - ParseError or defusedxml's refusals of entities
        return [ItemError(f"not a readable ORCID XML record: {type(exc).__name__}: {str(exc)[:200]}")]
    items: list[Parsed] = []
    for works in descendants(root, "works"):
        for group in children(works, "group"):
            work = _xml_preferred(group, "work-summary")
            if work is None:
                items.append(ItemError("a work group without a work summary"))
                continue
            items.append(Harvested(
                kind=text(child(work, "type")) or "other",
                title=text(child(work, "title", "title")) or text(child(work, "title", "translated-title")),
                year=year_in(text(child(work, "publication-date", "year"))),
                venue=text(child(work, "journal-title")),
                doi=_xml_external(work, "doi"), number=_xml_external(work, "pat"),
                url=text(child(work, "url")),
            ))
    for fundings in descendants(root, "fundings"):
        for group in children(fundings, "group"):
            funding = _xml_preferred(group, "funding-summary")
            if funding is None:
                continue
            items.append(Harvested(
                kind="funding", title=text(child(funding, "title", "title")),
                year=year_in(text(child(funding, "start-date", "year"))),
                venue=text(child(funding, "organization", "name")),
                number=_xml_external(funding, "grant_number"), url=text(child(funding, "url")),
            ))
    for award in (e for e in descendants(root, "distinction-summary") if local(e) == "distinction-summary"):
        items.append(Harvested(
            kind="distinction", title=text(child(award, "role-title")),
            year=year_in(text(child(award, "start-date", "year"))),
            venue=text(child(award, "organization", "name")), url=text(child(award, "url")),
        ))
    return items
