"""Candidate passages of one query as parallel numpy arrays.

A query gathers a few hundred to a few thousand passages from the lexical and
dense lists; keeping their attributes in arrays makes fusion and aggregation
vector operations instead of per-passage Python.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from indexer.backends.base import Hit
from indexer.models import MatchedBy


class CandidateSet:
    """Passages seen by any list: key, talent, language group/share and both scores."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.keys: list[str] = []
        self.talents: list[str] = []
        self.groups: list[str] = []
        self._share: list[float] = []
        self._lexical: list[float] = []
        self._dense: list[float] = []
        self._dense_hit: list[bool] = []
        self.fused = np.zeros(0)

    def __len__(self) -> int:
        return len(self.keys)

    def _slot(self, hit: Hit) -> int:
        i = self.index.get(hit.key)
        if i is None:
            i = self.index[hit.key] = len(self.keys)
            self.keys.append(hit.key)
            self.talents.append(hit.talent_id)
            self.groups.append(hit.group)
            self._share.append(hit.cjk_share)
            self._lexical.append(0.0)
            self._dense.append(np.nan)
            self._dense_hit.append(False)
        return i

    def add_lexical(self, hits: Iterable[Hit]) -> None:
        for hit in hits:
            self._lexical[self._slot(hit)] = hit.score

    def add_dense(self, hits: Iterable[Hit], offsets: dict[str, float], default_offset: float) -> None:
        """Dense hits carry raw cosines to the centred query; store centred scores."""
        for hit in hits:
            i = self._slot(hit)
            self._dense[i] = hit.score - offsets.get(hit.group, default_offset)
            self._dense_hit[i] = True

    def freeze(self) -> None:
        """Turn the collected lists into arrays (call once, after all ``add_*``)."""
        self.share = np.asarray(self._share, dtype=np.float64)
        self.lexical = np.asarray(self._lexical, dtype=np.float64)
        self.dense = np.asarray(self._dense, dtype=np.float64)
        self.dense_hit = np.asarray(self._dense_hit, dtype=bool)
        self.fused = np.zeros(len(self.keys))

    def missing_lexical(self) -> list[str]:
        """Passages only the dense lists returned (their BM25 is unknown)."""
        return [self.keys[i] for i in np.flatnonzero(self.dense_hit & (self.lexical == 0.0))]

    def missing_dense(self) -> list[str]:
        return [self.keys[i] for i in np.flatnonzero(np.isnan(self.dense))]

    def set_lexical(self, scores: dict[str, float]) -> None:
        for key, score in scores.items():
            self.lexical[self.index[key]] = score

    def set_dense(self, cosines: dict[str, float], offsets: dict[str, float], default_offset: float) -> None:
        for key, cosine in cosines.items():
            i = self.index[key]
            self.dense[i] = cosine - offsets.get(self.groups[i], default_offset)

    def matched_by(self, i: int) -> MatchedBy:
        lexical, dense = self.lexical[i] > 0, bool(self.dense_hit[i])
        if lexical and dense:
            return "both"
        return "lexical" if lexical else "dense"
