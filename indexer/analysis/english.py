"""English (and other Latin-script) words: Snowball stemming via PyStemmer.

Stemming lets "insurers"/"insurance" style variants meet; PyStemmer is the
C implementation, fast enough to stem every passage at indexing time. Its
stemmer objects are not thread-safe, so each thread gets its own.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import Stemmer

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball English stem of a lower-case word; digits and codes pass through."""
    if not word.isalpha():
        return word
    stemmed: str = _stemmer().stemWord(word)  # PyStemmer ships no type information
    return stemmed
