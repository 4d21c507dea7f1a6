"""The analyzer: text → index terms, identical for passages and queries.

Two term streams are produced:

* ``words``: jieba search-mode words for CJK runs and Snowball stems for Latin
  words, stopwords removed. This is the main BM25 field.
* ``grams``: overlapping CJK character bigrams. They catch compounds that the
  segmenter splits differently on the two sides (健康险 / 健康保险) and are
  scored as a second, lower-weighted BM25 field.

Both backends index exactly these strings (Elasticsearch with a whitespace
analyzer), so they score the same tokens. ``version`` changes whenever the
output of the analyzer could change, and is stored in the index metadata.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import jieba

from indexer.analysis.chinese import ChineseSegmenter
from indexer.analysis.english import stem
from indexer.analysis.normalize import normalize_text
from indexer.analysis.stopwords import CHINESE_STOPWORDS, ENGLISH_STOPWORDS

#: Bump when the analysis rules change in a way the inputs below do not capture.
ANALYZER_RULES = "a1"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_CJK_WORD = re.compile(rf"[{_CJK}]+")


@dataclass(frozen=True, slots=True)
class Token:
    """One index term and where it came from in the *normalised* text."""

    term: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """The two term streams of one text (for a query: ``folded`` words also stand for their bigram)."""

    words: list[str]
    grams: list[str]
    folded: frozenset[str] = frozenset()


def _bigrams(run: str) -> Iterator[tuple[str, int]]:
    if len(run) == 1:
        yield run, 0
        return
    for i in range(len(run) - 1):
        yield run[i : i + 2], i


class Analyzer:
    """Stateless after construction; one shared instance per process is enough."""

    def __init__(self) -> None:
        self._segmenter = ChineseSegmenter()
        digest = hashlib.sha256()
        for part in (self._segmenter.words, sorted(CHINESE_STOPWORDS), sorted(ENGLISH_STOPWORDS)):
            digest.update("\n".join(part).encode())
            digest.update(b"\0")
        self.version = f"{ANALYZER_RULES}-jieba{jieba.__version__}-{digest.hexdigest()[:12]}"

    def word_tokens(self, normalized: str) -> Iterator[Token]:
        """Word tokens with offsets into ``normalized`` (already NFKC + casefolded)."""
        for m in _RUN.finditer(normalized):
            run = m.group()
            base = m.start()
            if m.lastgroup == "cjk":
                for word, start, end in self._segmenter.segment(run):
                    if word not in CHINESE_STOPWORDS:
                        yield Token(word, base + start, base + end)
            elif run not in ENGLISH_STOPWORDS and not (len(run) == 1 and run.isalpha()):
                yield Token(stem(run), base, m.end())

    def gram_tokens(self, normalized: str) -> Iterator[Token]:
        """CJK character bigrams (single characters for one-character runs)."""
        for m in _RUN.finditer(normalized):
            if m.lastgroup != "cjk":
                continue
            for gram, offset in _bigrams(m.group()):
                start = m.start() + offset
                if gram not in CHINESE_STOPWORDS:
                    yield Token(gram, start, start + len(gram))

    def matching_tokens(self, normalized: str, words: set[str], grams: set[str]) -> Iterator[Token]:
        """The tokens of ``word_tokens`` and ``gram_tokens`` whose terms are in ``words`` / ``grams``.

        The same tokens as filtering both streams, without segmenting the CJK
        runs that cannot hold a query word: a search-mode word is a substring
        of its run, so a run containing none of the words as a substring yields
        none of them. Highlighting evidence segmented every passage in full:
        90 µs a passage, about a sixth of a search; now about 20 µs.
        """
        cjk_words = [w for w in words if _CJK_WORD.fullmatch(w)]
        for m in _RUN.finditer(normalized):
            run, base = m.group(), m.start()
            if m.lastgroup == "cjk":
                if any(w in run for w in cjk_words):
                    for word, start, end in self._segmenter.segment(run):
                        if word in words and word not in CHINESE_STOPWORDS:
                            yield Token(word, base + start, base + end)
                if grams:
                    for gram, offset in _bigrams(run):
                        if gram in grams and gram not in CHINESE_STOPWORDS:
                            yield Token(gram, base + offset, base + offset + len(gram))
            elif words and run not in ENGLISH_STOPWORDS and not (len(run) == 1 and run.isalpha()):
                term = stem(run)
                if term in words:
                    yield Token(term, base, m.end())

    def analyze(self, text: str) -> Analysis:
        """Both term streams for a passage (with repetitions, for term frequencies).

        Produces exactly the terms of ``word_tokens``/``gram_tokens`` but without
        offsets, which makes bulk indexing noticeably faster.
        """
        words: list[str] = []
        grams: list[str] = []
        zh_stop, en_stop = CHINESE_STOPWORDS, ENGLISH_STOPWORDS
        for m in _RUN.finditer(normalize_text(text)):
            run = m.group()
            if m.lastgroup == "cjk":
                words += [w for w in self._segmenter.words_of(run) if w not in zh_stop]
                if len(run) == 1:
                    if run not in zh_stop:
                        grams.append(run)
                else:
                    grams += [g for g in (run[i : i + 2] for i in range(len(run) - 1)) if g not in zh_stop]
            elif run not in en_stop and not (len(run) == 1 and run.isalpha()):
                words.append(stem(run))
        return Analysis(words=words, grams=grams)

    def query(self, text: str) -> Analysis:
        """Both term streams for a query, each term once, in first-seen order.

        A bigram that is also a query *word* is dropped from the bigram stream and
        listed in ``folded`` instead: the word field scores it with the bigram
        weight added (their postings nearly coincide), and as common two-character
        words have the longest posting lists this halves the work of typical
        Chinese queries.
        """
        full = self.analyze(text)
        words = _unique(full.words)
        taken = set(words)
        grams = _unique(full.grams)
        return Analysis(
            words=words,
            grams=[g for g in grams if g not in taken],
            folded=frozenset(taken.intersection(grams)),
        )


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


_shared: Analyzer | None = None


def get_analyzer() -> Analyzer:
    """The process-wide analyzer (jieba's dictionary is loaded once, lazily)."""
    global _shared
    if _shared is None:
        _shared = Analyzer()
    return _shared
