"""Plain data handed from the knowledge base to the search index.

The indexer never imports the ORM: the knowledge base turns a talent row into a
``TalentDoc`` and the index only ever sees these frozen values. Contact data has
no field here on purpose, so it can never reach a search index or a search result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OutputDoc:
    """One stage result (paper, patent, report, ...) of a talent."""

    output_id: str
    type: str
    title: str
    year: int | None = None
    venue: str = ""
    abstract: str = ""


@dataclass(frozen=True)
class TalentDoc:
    """Everything about a talent that search may read."""

    talent_id: str
    name: str
    category: str
    fields: tuple[str, ...]
    research_directions: tuple[str, ...]
    name_en: str = ""
    title: str = ""
    organization: str = ""
    bio: str = ""
    languages: tuple[str, ...] = ()
    available: bool = True
    outputs: tuple[OutputDoc, ...] = field(default=())

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> TalentDoc:
        """Build from an import record (``talent.schema.json``); output ids are their positions."""
        return cls(
            talent_id=rec["id"],
            name=rec["name"],
            name_en=rec.get("name_en", "") or "",
            category=rec["category"],
            fields=tuple(rec.get("fields", ())),
            research_directions=tuple(rec.get("research_directions", ())),
            title=rec.get("title", "") or "",
            organization=rec.get("organization", "") or "",
            bio=rec.get("bio", "") or "",
            languages=tuple(rec.get("languages", ())),
            available=bool(rec.get("available_for_consultation", True)),
            outputs=tuple(
                OutputDoc(
                    output_id=str(i),
                    type=o["type"],
                    title=o["title"],
                    year=o.get("year"),
                    venue=o.get("venue", "") or "",
                    abstract=o.get("abstract", "") or "",
                )
                for i, o in enumerate(rec.get("outputs", ()))
            ),
        )
