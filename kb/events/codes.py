"""Per-registration check-in codes: short, random, unambiguous when read aloud."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: a code is read off a phone screen at the door.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8  # 31**8 ≈ 8.5e11: guessing one of a few hundred codes is hopeless


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(code: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())
