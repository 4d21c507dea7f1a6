"""Comparing organization names as people write them.

"深港金融研究院", "深港 金融研究院（深圳）" and "ＡＢＣ Bank, Ltd." must match
their plain forms, so names are NFKC-normalised (full-width to half-width),
case-folded and stripped of spaces and punctuation. Long names also match when
one contains the other ("XX银行" in "XX银行深圳分行"); short ones only exactly,
or "银行" would match every bank.
"""

from __future__ import annotations

import unicodedata

# Below this many characters (after normalisation) only equal names match.
MIN_CONTAINS = 4


def normalize(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def same_organization(a: str, b: str) -> bool:
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    shorter, longer = sorted((na, nb), key=len)
    return len(shorter) >= MIN_CONTAINS and shorter in longer
