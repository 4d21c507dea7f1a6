"""EndNote XML (EndNote, NoteExpress and Zotero "EndNote XML" exports)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from kb.talents.harvest.items import Harvested, ItemError, Parsed, natural_name, split_keywords, year_in
from kb.talents.harvest.xmltext import child, children, descendants, parse_xml, text


def parse(source: str) -> list[Parsed]:
    try:
        root = parse_xml(source)
    except Exception as exc:  # noqa: BLE001 - ParseError or defusedxml's refusals of entities
        return [ItemError(f"not readable EndNote XML: {type(exc).__name__}: {str(exc)[:200]}")]
    return [_item(record) for record in descendants(root, "record")]


def _item(record: Element) -> Parsed:
    ref_type = child(record, "ref-type")
    kind = (ref_type.get("name") if ref_type is not None else "") or text(ref_type)
    titles = child(record, "titles")
    if titles is None and child(record, "title") is None:
        return ItemError("a record without <titles>")
    authors = [natural_name(text(a)) for a in descendants(child(record, "contributors") or record, "author")]
    keywords = [text(k) for k in children(child(record, "keywords"), "keyword")]
    urls = child(record, "urls")
    url = text(next(descendants(urls, "url"), None)) if urls is not None else ""
    venue = (text(child(titles, "secondary-title")) or text(child(record, "periodical", "full-title"))
             or text(child(record, "publisher")))
    ref_name = kind.lower()
    return Harvested(
        kind=kind,
        title=text(child(titles, "title")) or text(child(record, "title")),
        authors=[a for a in authors if a],
        year=year_in(text(child(record, "dates", "year")) or text(child(record, "dates"))),
        venue=venue,
        doi=text(child(record, "electronic-resource-num")),
        number=text(child(record, "number")) if ref_name in ("patent", "standard") else "",
        abstract=text(child(record, "abstract")),
        keywords=split_keywords(keywords),
        url=url,
    )
