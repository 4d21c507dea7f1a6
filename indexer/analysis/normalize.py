"""Unicode normalisation with an offset map back to the original text.

Queries and profiles arrive with full-width letters and digits (ＡＩ, ２０２３),
mixed case and stray control characters. Every analysed form is computed on
the NFKC + case-folded text, but highlighting has to mark the *original*
characters, so normalisation keeps, for every normalised character, the index
of the original character it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Longest text that is analysed; beyond this a query or passage is cut.
#: Queries are capped much lower by the search layer.
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class Normalized:
    """NFKC + casefolded text and, per character, its position in the source."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text to the source text."""
        if end <= start:
            return (self.origin[start], self.origin[start]) if start < len(self.origin) else (0, 0)
        return self.origin[start], self.origin[end - 1] + 1


#: Control, format and separator characters that must never glue or split tokens
#: unpredictably (zero-width spaces, bidi marks, line separators, C0/C1 controls).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff0-\uffff]")


def normalize(text: str) -> Normalized:
    """Normalise character by character so every output char knows its source char.

    Character-wise NFKC differs from whole-string NFKC only for combining
    sequences, which do not occur in the Chinese/English text indexed here and
    are harmless for matching anyway. This slow path is only used to highlight
    a handful of passages per query.
    """
    text = _CONTROL.sub(" ", text[:MAX_TEXT_CHARS])
    whole = unicodedata.normalize("NFKC", text).casefold()
    if len(whole) == len(text):
        # Every character mapped to exactly one character (the overwhelmingly common
        # case: ASCII, CJK, full-width forms), so offsets are the identity.
        return Normalized(whole, tuple(range(len(text))))
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        piece = ch.lower() if ch.isascii() else unicodedata.normalize("NFKC", ch).casefold()
        out.append(piece)
        origin.extend([i] * len(piece))
    return Normalized("".join(out), tuple(origin))


def normalize_text(text: str) -> str:
    """The normalised string without offsets: the fast path used for indexing."""
    return unicodedata.normalize("NFKC", _CONTROL.sub(" ", text[:MAX_TEXT_CHARS])).casefold()
