"""Bilingual words for kb's codes where there is no UI language: exports and PDF dossiers.

A CSV or a PDF is read by Chinese staff and passed on to English-speaking
partners, like its bilingual headers (``kb.tabular``). The web pages word the
same codes through Flask-Babel (web/consultations/labels.py); a test holds
both to the same codes, so no file shows ``in_progress`` or ``written``.
"""

from __future__ import annotations

import re

from kb.taxonomy import load_taxonomy

Words = tuple[str, str]  # (Chinese, English)

REQUEST_STATES: dict[str, Words] = {
    "draft": ("草稿", "Draft"), "open": ("已发布", "Open"), "invited": ("已邀请专家", "Experts invited"),
    "in_progress": ("进行中", "In progress"), "answered": ("已答复", "Answered"), "closed": ("已结束", "Closed"),
    "cancelled": ("已取消", "Cancelled"),
}
INVITATION_STATES: dict[str, Words] = {
    "invited": ("已邀请", "Invited"), "accepted": ("已接受", "Accepted"), "declined": ("已婉拒", "Declined"),
    "conflict": ("申报回避", "Conflict declared"), "answered": ("已提交意见", "Advice submitted"),
}
FORMS: dict[str, Words] = {"written": ("书面意见", "Written advice"), "meeting": ("咨询会", "Meeting"),
                           "panel": ("评审会", "Review panel")}
SECRECY: dict[str, Words] = {"public": ("平台内公开", "Open on the platform"), "unit": ("仅本单位", "Own unit only"),
                             "confidential": ("保密", "Confidential")}
ADOPTION: dict[str, Words] = {"full": ("全部采纳", "Fully adopted"), "partial": ("部分采纳", "Partly adopted"),
                              "none": ("未采纳", "Not adopted")}


#: The notes kb writes itself on a consultation's automatic state changes (stored in English):
#: pattern → (Chinese, English) with ``{n}``/``{talent}`` from the pattern's groups.
SYSTEM_NOTES: tuple[tuple[re.Pattern[str], Words], ...] = (
    (re.compile(r"^filed$"), ("已创建", "Filed")),
    (re.compile(r"^(?P<n>\d+) expert\(s\) invited$"), ("已邀请 {n} 位专家", "{n} experts invited")),
    (re.compile(r"^(?P<talent>\S+) accepted$"), ("{talent} 接受了邀请", "{talent} accepted")),
    (re.compile(r"^every invited expert has answered or withdrawn$"),
     ("所有受邀专家均已答复或退出", "Every invited expert has answered or withdrawn")),
    (re.compile(r"^marked answered by hand$"), ("手动标记为已答复", "Marked answered by hand")),
)


def note_zh(note: str, names: dict[str, str] | None = None) -> str:
    """A transition note for a Chinese document: kb's automatic notes in Chinese, a person's note as written."""
    for pattern, (words, _en) in SYSTEM_NOTES:
        m = pattern.match(note or "")
        if m:
            return words.format(**{k: (names or {}).get(v, v) for k, v in m.groupdict().items()})
    return note


def zh(table: dict[str, Words], code: str | None) -> str:
    """The Chinese word for ``code`` (a PDF dossier); "" for none, the code itself if unknown."""
    if not code:
        return ""
    return table[code][0] if code in table else code


def both(table: dict[str, Words], code: str | None) -> str:
    """"中文 English" for a spreadsheet cell, like the headers; "" for none."""
    if not code:
        return ""
    if code not in table:
        return code
    z, e = table[code]
    return f"{z} {e}"


def fields_both(codes: list[str]) -> str:
    """Industry fields by their taxonomy labels in both languages, joined."""
    tax = load_taxonomy()
    return "；".join(f"{tax.field_label(c, 'zh')} {tax.field_label(c, 'en')}" for c in codes)
