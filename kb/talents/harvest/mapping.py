"""From a harvested record to the values of an output (kb/data/taxonomy.json output types,
the fields of kb/data/talent.schema.json), or the reason it cannot be one.

Every format names its types in its own words; they all land on the taxonomy's
codes here. What has no field of its own (a patent's status and dates) is
appended to the abstract, where people read it and search finds it. Whatever
the schema would refuse is fixed with a note (a link kb.urls refuses is
dropped, a year outside 1950–2100 left out), or, for a missing title, makes the
item fail; so a claimed item always passes the normal write path's validation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from kb.talents.harvest.items import Harvested
from kb.taxonomy import load_taxonomy
from kb.urls import url_problem

# Lower-cased source type → taxonomy output type. Anything unlisted is a paper,
# the commonest thing in a bibliography.
TYPES: dict[str, str] = {
    # BibTeX
    "book": "book", "inbook": "book", "incollection": "book", "booklet": "book", "collection": "book",
    "techreport": "report", "report": "report", "manual": "report",
    "patent": "patent", "standard": "standard",
    # RIS
    "chap": "book", "echap": "book", "ebook": "book", "edbook": "book", "rprt": "report", "pat": "patent",
    "stand": "standard", "govdoc": "report", "grant": "project",
    # CSL
    "chapter": "book", "legislation": "policy_advice", "regulation": "policy_advice",
    # EndNote reference type names
    "edited book": "book", "book section": "book", "electronic book": "book", "government document": "report",
    # ORCID work types, fundings and distinctions
    "book-chapter": "book", "edited-book": "book", "book-review": "paper", "working-paper": "report",
    "research-technique": "report", "standards-and-policy": "standard", "license": "patent",
    "funding": "project", "distinction": "award",
    # patent lists
    "发明专利": "patent", "实用新型": "patent", "外观设计": "patent",
}
# Field lengths of kb/data/talent.schema.json.
MAX = {"title": 500, "venue": 300, "abstract": 10000, "doi": 200, "number": 100}
MAX_PEOPLE, MAX_KEYWORDS, MAX_NAME = 500, 100, 200
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


@dataclass
class Mapped:
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str = ""


def output_type(kind: str) -> str:
    code = TYPES.get(unicodedata.normalize("NFKC", kind).strip().lower(), "paper")
    return code if code in load_taxonomy().output_types else "paper"


def normalise_doi(value: str) -> str:
    """The bare DOI (``10.1000/xyz``), lower-cased: DOIs are case-insensitive."""
    return _DOI_PREFIX.sub("", value.strip()).strip().lower()


def _cut(value: str, limit: int, name: str, notes: list[str]) -> str:
    if len(value) > limit:
        notes.append(f"{name} shortened to {limit} characters")
        return value[:limit - 1] + "…"
    return value


def to_output(item: Harvested) -> Mapped:
    notes: list[str] = []
    title = item.title.strip()
    if not title:
        return Mapped(error="the record has no title")
    if len(title) > MAX["title"]:
        return Mapped(error=f"the title is longer than {MAX['title']} characters")
    values: dict[str, Any] = {"type": output_type(item.kind), "title": title}
    if item.year is not None:
        if 1950 <= item.year <= 2100:
            values["year"] = item.year
        else:
            notes.append(f"year {item.year} left out (outside 1950–2100)")
    abstract = "\n".join(p for p in (item.abstract.strip(), "；".join(item.details)) if p)
    for key, value in (("venue", item.venue), ("abstract", abstract), ("number", item.number)):
        if value.strip():
            values[key] = _cut(value.strip(), MAX[key], key, notes)
    doi = normalise_doi(item.doi)
    if doi:
        if doi.startswith("10.") and len(doi) <= MAX["doi"]:
            values["doi"] = doi
        else:
            notes.append(f"DOI {item.doi[:60]!r} left out (not a DOI)")
    url = item.url.strip()
    if not url and "doi" in values:
        url = f"https://doi.org/{values['doi']}"
    if url:
        problem = url_problem(url)
        if problem:
            notes.append(f"link left out ({problem})")
        else:
            values["url"] = url
    people = [p[:MAX_NAME] for p in item.authors if p.strip()]
    if people:
        values["authors"] = people[:MAX_PEOPLE]
    keywords = [k[:MAX_NAME] for k in item.keywords if k.strip()]
    if keywords:
        values["keywords"] = keywords[:MAX_KEYWORDS]
    return Mapped(values=values, notes=notes)
