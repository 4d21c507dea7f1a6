"""English (and other Latin-script) words: Snowball stemming via PyStemmer.

Stemming lets "insurers"/"insurance" style variants meet; PyStemmer is the
C implementation, fast enough to stem every passage at indexing time.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball English stem of a lower-case word; digits and codes pass through."""
    if not word.isalpha():
        return word
    return _stemmer.stemWord(word)
