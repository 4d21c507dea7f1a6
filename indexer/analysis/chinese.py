"""Chinese word segmentation with jieba and a domain user dictionary.

Search-mode segmentation emits a long word *and* its dictionary sub-words
(健康险 → 健康, 健康险), which lets a query written with different compounds
(商业健康保险) still meet the profile's wording. Both documents and queries go
through the same cut, so the two sides always agree.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator

import jieba

from indexer.taxonomy import current_taxonomy

_log_level_set = False


def _quiet_jieba() -> None:
    """jieba logs its dictionary loading at DEBUG/INFO on its own logger; keep it quiet."""
    global _log_level_set
    if not _log_level_set:
        logging.getLogger("jieba").setLevel(logging.WARNING)
        _log_level_set = True


def dictionary_words() -> list[str]:
    """Taxonomy labels (fields, sectors, categories, output types): the words added to jieba.

    Deliberately no hand-picked topic list: such lists drift towards whatever
    queries the author happened to test with.
    """
    tax = current_taxonomy()
    words = {label.zh for label in tax.all_labels() if label.zh}
    words.update(label.zh.strip('“”"') for label in tax.sectors.values() if label.zh)
    return sorted(w for w in words if len(w) >= 2)


class ChineseSegmenter:
    """A private jieba tokenizer (so the global one is untouched) with our dictionary."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._tokenizer = jieba.Tokenizer()
        self._words = sorted(set(dictionary_words()) | set(extra_words))
        self._ready = False
        self._lock = threading.Lock()

    @property
    def words(self) -> list[str]:
        """The user dictionary (part of the analyzer version)."""
        return self._words

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            _quiet_jieba()
            self._tokenizer.initialize()
            for word in self._words:
                self._tokenizer.add_word(word, freq=None)
            self._ready = True

    def words_of(self, run: str) -> list[str]:
        """Search-mode words of a CJK-only run, without offsets (the bulk indexing path)."""
        self._ensure_ready()
        return list(self._tokenizer.cut_for_search(run))

    def segment(self, run: str) -> Iterator[tuple[str, int, int]]:
        """Search-mode words of a CJK-only run with their ``[start, end)`` offsets."""
        self._ensure_ready()
        yield from self._tokenizer.tokenize(run, mode="search")
