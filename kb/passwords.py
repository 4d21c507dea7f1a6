"""Password hashes: argon2id for new ones, the older scrypt ones still accepted.

Every login answer costs one password verification, whatever went wrong:
an unknown name, a disabled account or an account without a password is
checked against a dummy hash instead of answering at once, so the time of
the answer does not tell whether an account exists or is usable.
"""

from __future__ import annotations

import contextlib
import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

# OWASP's argon2id baseline (19 MiB, two passes, one lane): about 0.1 s on
# this project's two-core machine, where the library default (64 MiB, four
# lanes) took half a second and let a few concurrent logins starve the workers.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
ARGON2_PREFIX = "$argon2"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@functools.cache
def dummy_hash() -> str:
    """The hash a failed login is checked against when there is no real one to check
    (made on first use: hashing costs a tenth of a second that every ``kb`` command would pay)."""
    return hash_password(secrets.token_urlsafe(24))


def verify_password(stored: str, password: str) -> bool:
    """True if ``password`` matches ``stored``; an empty ``stored`` costs a dummy check and fails."""
    if not stored:
        burn_verification(password)
        return False
    if stored.startswith(ARGON2_PREFIX):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):  # VerifyMismatchError is a VerificationError
            return False
    # scrypt hashes written before argon2; rehashed at the next successful login
    return check_password_hash(stored, password)


def burn_verification(password: str) -> None:
    """Spend exactly what checking a real argon2 hash costs, and learn nothing."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        _HASHER.verify(dummy_hash(), password)


def needs_rehash(stored: str) -> bool:
    """Older algorithm or weaker argon2 parameters than today's: hash again after a good login."""
    return not stored.startswith(ARGON2_PREFIX) or _HASHER.check_needs_rehash(stored)
