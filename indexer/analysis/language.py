"""Language of a passage or query: Chinese or English, by CJK share.

Multilingual embedders score same-language pairs higher regardless of topic,
so the retriever calibrates dense scores per passage language; it only needs a
cheap, deterministic label, not a real language identifier.
"""

from __future__ import annotations

import re

_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef]")

#: Latin letters per "word-equivalent": a Chinese character carries about as much
#: content as a short English word fragment, so letters are discounted.
_LETTERS_PER_UNIT = 3.0


def cjk_share(text: str) -> float:
    """Share of the text's content that is written in CJK characters (0..1)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text)) / _LETTERS_PER_UNIT
    total = cjk + latin
    return cjk / total if total else 0.0


def detect_language(text: str) -> str:
    """``"zh"`` when at least half of the content is CJK, else ``"en"``."""
    return "zh" if cjk_share(text) >= 0.5 else "en"


#: Calibration groups: passages mixing both scripts form their own group, because
#: their embeddings sit between the Chinese and the English clusters.
GROUPS = ("zh", "en", "mixed")
_ZH_MIN_SHARE = 0.8
_EN_MAX_SHARE = 0.2


def language_group(share: float) -> str:
    """``zh`` / ``en`` / ``mixed`` from a CJK share (see ``cjk_share``)."""
    if share >= _ZH_MIN_SHARE:
        return "zh"
    if share <= _EN_MAX_SHARE:
        return "en"
    return "mixed"
