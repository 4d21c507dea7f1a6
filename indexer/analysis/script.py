"""Character classes shared by the tokenisers and the language detector."""

from __future__ import annotations


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs (the scripts Chinese text is written in)."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2A700 <= cp <= 0x2EBEF
    )
