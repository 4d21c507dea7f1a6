"""Cut a talent into the passages that are indexed, embedded and shown as evidence.

Two grains: the *profile* side (one profile passage summarising the person,
one passage per research direction, the bio) and one passage per output. A hit
then says *which* direction or output made the talent fit, and a talent whose
evidence only lives in an output abstract is still found.

Field labels are written in both languages into the profile passage so that an
English-only profile carries Chinese topic words and vice versa — a cheap,
general bridge for cross-lingual lexical matching.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.analysis import cjk_share, detect_language, language_group
from indexer.documents import OutputDoc, TalentDoc
from indexer.taxonomy import current_taxonomy

KINDS = ("profile", "direction", "bio", "output")


@dataclass(frozen=True)
class Passage:
    """One retrievable unit of a talent; ``ref`` is the direction index or output id.

    ``lang`` is the calibration group (``zh``, ``en`` or ``mixed``), from ``cjk_share``.
    """

    talent_id: str
    kind: str
    ref: str
    text: str
    lang: str
    cjk_share: float

    @property
    def key(self) -> str:
        """Stable identity within the index: ``talent_id/kind/ref``."""
        return f"{self.talent_id}/{self.kind}/{self.ref}"

    @classmethod
    def of(cls, owner: str, kind: str, ref: str, text: str) -> Passage:
        """A passage of ``owner`` (a talent, or a knowledge item) in the language group of its text."""
        share = cjk_share(text)
        return cls(owner, kind, ref, text, language_group(share), share)


def field_labels(codes: tuple[str, ...]) -> list[str]:
    """``"保险 Insurance"`` for each field code (unknown codes are kept as they are)."""
    fields = current_taxonomy().fields
    out = []
    for code in codes:
        label = fields.get(code)
        out.append(f"{label.zh} {label.en}".strip() if label else code)
    return out


def _join(parts: list[str], sep: str | None = None) -> str:
    """Join non-empty parts; with no separator given, pick a Chinese or English full stop."""
    kept = [p.strip() for p in parts if p and p.strip()]
    if sep is None:
        sep = "。" if detect_language(" ".join(kept)) == "zh" else ". "
    return sep.join(kept)


def profile_text(doc: TalentDoc) -> str:
    """Who the person is and what they work on, in one passage."""
    names = _join([doc.name, doc.name_en], " ")
    return _join(
        [
            names,
            doc.title,
            doc.organization,
            "; ".join(field_labels(doc.fields)),
            "; ".join(doc.research_directions),
        ]
    )


def output_text(output: OutputDoc) -> str:
    """Title, venue and abstract of an output."""
    return _join([output.title, output.venue, output.abstract])


def talent_passages(doc: TalentDoc) -> list[Passage]:
    """All passages of one talent, in a stable order (profile first)."""
    passages = [Passage.of(doc.talent_id, "profile", "", profile_text(doc))]
    for i, direction in enumerate(doc.research_directions):
        if direction.strip():
            passages.append(Passage.of(doc.talent_id, "direction", str(i), direction.strip()))
    if doc.bio.strip():
        passages.append(Passage.of(doc.talent_id, "bio", "", doc.bio.strip()))
    for output in doc.outputs:
        text = output_text(output)
        if text:
            passages.append(Passage.of(doc.talent_id, "output", output.output_id, text))
    return passages
