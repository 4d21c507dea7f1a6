"""Reading a leader's 批示: does it instruct something, or only acknowledge?

A leader who writes only "同意" or "圈阅" (or circles the document) has read the
advice; that is worth recording but is not adoption, and counting it as such
inflates the think tank's figures. Anything beyond those marks — who should do
what ("请发改局研究落实") — is an instruction. Punctuation, spaces, the leader's
signature date and repeated marks are not content, so "同意。" "圈阅 3月5日"
and "已阅，同意！" are all acknowledgements.
"""

from __future__ import annotations

import re
import unicodedata

from kb.consultations.enums import LedgerStep

#: Marks that say "read" or "agreed" and nothing more.
BARE_MARKS = ("已圈阅", "圈阅", "圈", "已阅", "阅知", "阅", "知悉", "已知", "同意", "可", "好", "OK", "ok")
_BARE = re.compile("(?:" + "|".join(sorted(map(re.escape, BARE_MARKS), key=len, reverse=True)) + ")+")
#: A signature date: 2026年3月5日, 3月5日, 2026-03-05, 2026.3.5, 3/5.
_DATE = re.compile(r"(?:\d{2,4}\s*[年./-]\s*)?\d{1,2}\s*[月./-]\s*\d{1,2}\s*[日号]?|\d{4}\s*年")


def _content(text: str) -> str:
    """The text without dates, punctuation, symbols and white space (full-width forms folded)."""
    folded = unicodedata.normalize("NFKC", text or "")
    folded = _DATE.sub("", folded)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in ("L", "N") and not ch.isspace())


def is_bare_acknowledgement(text: str, leader: str = "") -> bool:
    """True for an empty text or one made only of 同意/圈阅-type marks (and the leader's own name)."""
    content = _content(text)
    name = _content(leader)
    if name:
        content = content.replace(name, "")
    return content == "" or _BARE.fullmatch(content) is not None


def classify_instruction(text: str, leader: str = "") -> LedgerStep:
    """``instructed`` (counts as adoption at the leader's level) or ``acknowledged`` (does not)."""
    return LedgerStep.ACKNOWLEDGED if is_bare_acknowledgement(text, leader) else LedgerStep.INSTRUCTED
