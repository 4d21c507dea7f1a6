"""Namespace-blind reading of the XML exports (EndNote, ORCID), parsed with defusedxml.

Exports put the same element under different prefixes across versions
(``common:title``, ``work:title``), so elements are found by local name.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from kb.talents.harvest.items import clean


def parse_xml(text: str) -> Element:
    """The document root; defusedxml refuses entity expansion and external entities."""
    return ElementTree.fromstring(text.lstrip("\ufeff").encode("utf-8"))


def local(el: Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def children(el: Element | None, name: str) -> Iterator[Element]:
    if el is None:
        return
    for child in el:
        if local(child) == name:
            yield child


def child(el: Element | None, *path: str) -> Element | None:
    """The first element down ``path`` of local names, or None."""
    for name in path:
        el = next(children(el, name), None)
        if el is None:
            return None
    return el


def descendants(el: Element, name: str) -> Iterator[Element]:
    for node in el.iter():
        if local(node) == name:
            yield node


def text(el: Element | None) -> str:
    """All text inside an element (EndNote wraps it in <style> runs), white space made single."""
    return clean("".join(el.itertext())) if el is not None else ""
