"""The one shape every format parser produces, before mapping to output values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Harvested:
    """One record of an export, with the source's own words kept where they differ by format."""

    kind: str
    """The source's type word (``article``, ``JOUR``, ``journal-article``, ``Journal Article``, ``patent``)."""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    doi: str = ""
    number: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    url: str = ""
    details: list[str] = field(default_factory=list)
    """Facts with no output field of their own (a patent's status and dates); mapping appends them."""


@dataclass(frozen=True)
class ItemError:
    """A record the parser found but could not read; the rest of the file carries on."""

    message: str


Parsed = Harvested | ItemError

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
_KEYWORD_SPLIT = re.compile(r"\s*[;；,，、]\s*")


def year_in(text: object) -> int | None:
    """The first plausible four-digit year in a date written any way (2021, 2021/03/02, 2021-3, 2021年)."""
    if isinstance(text, int):
        return text
    match = _YEAR.search(str(text or ""))
    return int(match.group(1)) if match else None


def split_keywords(values: list[str] | str) -> list[str]:
    """Keywords as a clean list, whether given one per tag or packed with ; ， 、 separators."""
    raw = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for value in raw:
        out.extend(k.strip() for k in _KEYWORD_SPLIT.split(value or "") if k.strip())
    return list(dict.fromkeys(out))


def clean(text: object) -> str:
    """Text with runs of white space (line breaks of wrapped exports) made one space."""
    return " ".join(str(text or "").split())


def first_text(entry: Mapping[str, Any], *keys: str) -> str:
    """The first of ``keys`` with text in a parsed record (CSL-JSON, RIS), cleaned.

    A list counts by its first element, since exports repeat a field for each value.
    """
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if isinstance(value, str | int) and clean(value):
            return clean(value)
    return ""


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def full_name(family: str, given: str) -> str:
    """A person's name in reading order: a Chinese name family name first, unspaced; others given name first."""
    if has_chinese(family + given):
        return family + given
    return " ".join(p for p in (given, family) if p)


def natural_name(name: str) -> str:
    """'Smith, John' → 'John Smith'; a Chinese name ('张, 伟' or '张伟') stays family name first, unspaced."""
    family, _, given = (part.strip() for part in clean(name).partition(","))
    return full_name(family, given) if given else family
