"""Synthetic talents and document vectors for the scale benchmark.

Chinese text is drawn from jieba's own dictionary (frequent 2–4 character
words, Zipf-weighted), English text from generated pseudo-words, in the
proportions of the real registry (mostly Chinese, some English-only, some
mixed). Lengths follow the development set: three directions, a bio and
five outputs per talent. Document vectors are synthetic, not the model's
(``SyntheticPassageEmbedder``: a component shared by every passage, a topic
vector summed from hashed character bigrams or words of the text, Gaussian
noise, normalised), so near neighbours exist and a graph search does real
work, while the corpus builds in minutes; queries are always embedded for real
by the model, so their cosines to the documents measure the index's work, not
ranking quality.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Sequence

import jieba
import numpy as np

from indexer.documents import OutputDoc, TalentDoc
from indexer.embedding.base import Embedder, l2_normalize
from indexer.taxonomy import current_taxonomy

_CONSONANTS = ("b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "tr", "pr", "c")
_VOWELS = ("a", "e", "i", "o")
_SYLLABLES = tuple(c + v for c in _CONSONANTS for v in _VOWELS) + (
    "ment",
    "tion",
    "ing",
    "ity",
    "al",
    "dis",
    "con",
)


class Vocabulary:
    """Zipf-weighted Chinese and pseudo-English word lists."""

    def __init__(self, rng: np.random.Generator, zh_words: int = 20_000, en_words: int = 8_000) -> None:
        path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
        entries = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                word, freq, *_ = line.split(" ")
                if 2 <= len(word) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in word):
                    entries.append((int(freq), word))
        entries.sort(reverse=True)
        self.zh = [w for _, w in entries[:zh_words]]
        words: set[str] = set()
        while len(words) < en_words:
            n = int(rng.integers(2, 5))
            words.add("".join(rng.choice(_SYLLABLES, n)))
        self.en = sorted(words)
        self.zh_cdf = _zipf_cdf(len(self.zh))
        self.en_cdf = _zipf_cdf(len(self.en))
        self.rng = rng

    def _draw(self, words: list[str], cdf: np.ndarray, n: int) -> list[str]:
        idx = np.searchsorted(cdf, self.rng.random(n), side="right")
        return [words[min(i, len(words) - 1)] for i in idx]

    def zh_text(self, n: int, sep: str = "") -> str:
        return sep.join(self._draw(self.zh, self.zh_cdf, n))

    def en_text(self, n: int) -> str:
        return " ".join(self._draw(self.en, self.en_cdf, n))


def _zipf_cdf(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** 1.05
    return np.cumsum(weights / weights.sum())


def synthetic_talents(count: int, seed: int = 7) -> Iterator[TalentDoc]:
    """``count`` talents, deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    vocab = Vocabulary(rng)
    field_codes = sorted(current_taxonomy().fields)
    for i in range(count):
        roll = rng.random()
        lang = "zh" if roll < 0.7 else ("en" if roll < 0.9 else "mixed")

        def text(n: int, _lang: str = lang) -> str:
            if _lang == "zh" or (_lang == "mixed" and rng.random() < 0.5):
                return vocab.zh_text(n)
            return vocab.en_text(n)

        outputs = tuple(
            OutputDoc(
                output_id=str(j),
                type="paper",
                title=text(int(rng.integers(5, 10))),
                year=int(rng.integers(2010, 2026)),
                venue=text(2),
                abstract=text(int(rng.integers(15, 30))) if rng.random() < 0.5 else "",
            )
            for j in range(5)
        )
        yield TalentDoc(
            talent_id=f"syn-{i:07d}",
            name=vocab.zh_text(1)[:3],
            name_en=vocab.en_text(2).title() if lang != "zh" else "",
            category=str(rng.choice(["A", "B", "C"], p=[0.15, 0.35, 0.5])),
            fields=tuple(rng.choice(field_codes, int(rng.integers(1, 4)), replace=False).tolist()),
            research_directions=tuple(text(int(rng.integers(3, 6))) for _ in range(3)),
            title=text(2),
            organization=text(3),
            bio=text(int(rng.integers(20, 40))),
            languages=("zh",) if lang == "zh" else (("en",) if lang == "en" else ("zh", "en")),
            available=bool(rng.random() < 0.95),
            outputs=outputs,
        )


def synthetic_queries(count: int, seed: int = 11) -> list[str]:
    """``count`` distinct queries: short keyword queries and longer requests, about 70% Chinese.

    Distinct, because a repeated text is answered from the embedder's query cache
    and would flatter the latency (at 5 000 draws about 1 % repeat).
    """
    rng = np.random.default_rng(seed)
    vocab = Vocabulary(rng)
    out: dict[str, None] = {}
    while len(out) < count:
        if rng.random() < 0.7:
            n = int(rng.integers(2, 9))
            out.setdefault(vocab.zh_text(n))
        else:
            out.setdefault(vocab.en_text(int(rng.integers(3, 12))))
    return list(out)


class SyntheticPassageEmbedder(Embedder):
    """Structured synthetic vectors for passages (see module docstring), the real model for queries.

    It reports the real model's name so the index metadata matches when the
    benchmark opens the index with that model for querying.
    """

    #: Hashed feature vectors for character bigrams / words.
    BUCKETS = 8192
    SHARED, TOPIC, NOISE = 1.0, 0.42, 0.40

    def __init__(self, real: Embedder, seed: int = 3) -> None:
        self.real = real
        self.name = real.name
        self.dim = real.dim
        self.threads = real.threads
        self.rng = np.random.default_rng(seed)
        self.shared = l2_normalize(self.rng.standard_normal(self.dim))[0]
        self.features = l2_normalize(self.rng.standard_normal((self.BUCKETS, self.dim)).astype(np.float32))

    def _topic(self, text: str) -> np.ndarray:
        pieces = text.split() if text.isascii() else [text[i : i + 2] for i in range(len(text) - 1)]
        idx = [zlib.crc32(p.encode()) % self.BUCKETS for p in pieces] or [0]
        topic: np.ndarray = l2_normalize(self.features[idx].sum(axis=0))[0]
        return topic

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        topics = np.stack([self._topic(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        noise = self.rng.standard_normal((len(texts), self.dim)).astype(np.float32) / np.sqrt(self.dim)
        return l2_normalize(self.SHARED * self.shared + self.TOPIC * topics + self.NOISE * noise)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.real.embed_queries(texts)


def describe_vectors() -> str:
    """The document vectors as they are, for the benchmark's printed output."""
    e = SyntheticPassageEmbedder
    return (
        f"document vectors are synthetic, not the model's: {e.SHARED} x a direction shared by all "
        f"passages + {e.TOPIC} x a topic vector summed from hashed character bigrams / words of the "
        f"passage ({e.BUCKETS} buckets) + {e.NOISE} x Gaussian noise, unit-normalised; "
        "queries are embedded for real by the model"
    )
