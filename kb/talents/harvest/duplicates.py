"""Is a harvested item an output the talent already has, or one earlier in the same file?

First exact identifiers (a DOI, a patent or standard number), then the
similarity of normalised titles (rapidfuzz's ``ratio``, 0–100, on titles with
NFKC width folding, case folding, punctuation and white space removed). Exports
of one paper differ in exactly those ways: full-width brackets from CNKI, a
title-cased WoS record, a trailing period, a subtitle's colon. The threshold was
measured on tests/data/harvest/title_pairs.tsv (labelled pairs, true duplicates
and near-miss distinct outputs such as part 1 / part 2 of a series):
``python -m kb.talents.harvest.calibrate`` prints precision and recall by threshold.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from kb.talents.harvest.mapping import normalise_doi

TITLE_THRESHOLD = 90.0

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
_KIND_CODE = re.compile(r"(?<=\d)[A-Z]\d?$")


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    text = " ".join(text.split())
    return _SPACE_NEXT_TO_CJK.sub("", text)


def normalise_number(number: str) -> str:
    """``CN 113012345 A`` and ``CN113012345B`` are one patent; ``ZL2021 1012 3456.7`` one application."""
    text = re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", number).upper())
    text = text.removeprefix("ZL")
    return _KIND_CODE.sub("", text)


# What tells apart two outputs whose titles are otherwise one: numbers (a year, a
# volume) and the numbering of a series (part II, （二）). Titles that differ in
# these are never duplicates, however similar the rest.
_NUMBERS = re.compile(r"\d+")
_ROMAN = re.compile(r"\b(?:i{1,3}|iv|vi{0,3}|ix|x)\b")
_CHINESE_ORDINAL = re.compile(r"[（(]\s*([一二三四五六七八九十]+)\s*[)）]|第([一二三四五六七八九十]+)[部分卷册期篇辑]")


def _markers(title: str) -> frozenset[str]:
    text = unicodedata.normalize("NFKC", title).casefold()
    found = set(_NUMBERS.findall(text)) | {f"r{m}" for m in _ROMAN.findall(text)}
    found |= {f"c{a or b}" for a, b in _CHINESE_ORDINAL.findall(unicodedata.normalize("NFKC", title))}
    return frozenset(found)


def title_similarity(a: str, b: str) -> float:
    """0–100: rapidfuzz's ratio of the normalised titles, 0 when their numbers or numbering differ."""
    if _markers(a) != _markers(b):
        return 0.0
    return float(fuzz.ratio(normalise_title(a), normalise_title(b)))


@dataclass(frozen=True)
class Known:
    """An output to compare with: one already on the profile, or an earlier item of the file.

    The normalised title and its numbering markers are computed once here, so a file
    of n items costs n²/2 ratio computations and nothing more.
    """

    kind: str  # "existing" or "file"
    ref: int  # the output's id, or the item's position in the file
    title: str
    doi: str = ""
    number: str = ""
    norm: str = ""
    markers: frozenset[str] = frozenset()

    @classmethod
    def of(cls, kind: str, ref: int, values: dict[str, Any]) -> Known:
        title = values.get("title", "")
        return cls(kind, ref, title, normalise_doi(values.get("doi", "") or ""),
                   normalise_number(values.get("number", "") or ""), normalise_title(title), _markers(title))


def find_duplicate(values: dict[str, Any], known: Iterable[Known],
                   threshold: float = TITLE_THRESHOLD) -> dict[str, Any] | None:
    """The best match of ``values`` among ``known`` as a JSON-able dict, or None."""
    known = list(known)
    me = Known.of("item", 0, values)
    for reason, attr in (("doi", "doi"), ("number", "number")):
        mine = getattr(me, attr)
        if mine:
            for other in known:
                if getattr(other, attr) == mine:
                    return {"kind": other.kind, "ref": other.ref, "reason": reason, "score": 100.0,
                            "title": other.title}
    best: tuple[float, Known] | None = None
    for other in known:
        if other.markers != me.markers:
            continue
        score = float(fuzz.ratio(me.norm, other.norm, score_cutoff=threshold))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, other)
    if best is None:
        return None
    return {"kind": best[1].kind, "ref": best[1].ref, "reason": "title", "score": round(best[0], 1),
            "title": best[1].title}
