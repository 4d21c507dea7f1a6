"""The one rule for the name an uploaded file is shown and downloaded under.

An uploaded file's name is user input that ends up in pages, CSV exports, the
audit log, e-mails and ``Content-Disposition`` headers. It is never used as a
path (files are stored under random names), but it is shown: a line break in
it splits a header or a CSV row, a right-to-left override (U+202E) makes
``report\u202efdp.exe`` read as ``reportexe.pdf``, and zero-width characters hide
what a name really says. So every upload, advice attachments and event
materials alike, keeps only the last path component without control or format
characters (Unicode categories Cc, Cf, Cs, Co, Cn) and without surrounding
spaces and dots.
"""

from __future__ import annotations

import unicodedata

MAX_NAME = 200


def display_name(filename: str, default: str = "file") -> str:
    """``filename`` fit to show: no directory part, no invisible or control characters, at most 200."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:MAX_NAME].strip(" .") or default
