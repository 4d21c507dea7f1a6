"""A notice's subject: what happened, then to which request or event, in the recipient's language.

"收到专家意见：罗湖区低空经济…" or "Advice received: …": plain words that mean
something in a mail client's list, never an internal number such as "[咨询 #12]".
Each module keeps its own table of what can happen (``Words``, Chinese and English)
and passes the recipient's ``User.preferred_language``.
"""

from __future__ import annotations

from kb.labels import Words

TITLE_CHARS = 24  # of a request's or event's title in a subject: enough to recognise it in a mail list


def shortened(title: str, limit: int = TITLE_CHARS) -> str:
    """``title`` cut to ``limit`` characters with "…", on one line."""
    one_line = " ".join(title.split())
    return one_line if len(one_line) <= limit else one_line[:limit - 1].rstrip() + "…"


def subject_line(what: Words, title: str, language: str = "zh") -> str:
    """``what`` happened to ``title``, in ``language`` (Chinese unless it is English)."""
    zh, en = what
    return f"{en}: {shortened(title)}" if language == "en" else f"{zh}：{shortened(title)}"
