"""Fairness in the draw: favour qualified experts who were consulted less, by a known amount.

The option keeps the draw's pool (the same top qualified candidates) and changes
only each member's chance. A member's weight is ``1 / (1 + n) ** strength``,
``n`` being his accepted consultations in the window before the draw; the
strength and window come from ``[consultations]`` and are stored with the draw.

Why systematic sampling with probabilities proportional to weight, and not
drawing one by one with weights: with systematic sampling each member's chance
of being picked is exactly ``min(1, k * w / sum(w))`` (capped members taken out
and the rest shared again), so the chances the page and the audit show are the
real ones, computed here with fractions — no simulation, no float noise. Drawn
one by one, the chances are not proportional to the weights and could only be
found by enumerating orders. The members are put in a seeded random order
before the systematic pass, so no two members are ever kept apart by their ids.

Everything here is pure: the same seed, pool, counts and strength always give
the same picks, which is what ``kb.consultations.draw.replay`` relies on.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

#: Bits of the seeded random start point of the systematic pass.
_START_BITS = 53


def weight(past: int, strength: int) -> Fraction:
    """An expert's weight: 1 with no past consultation, halved (strength 1) by one, a third by two..."""
    if past < 0 or strength < 0:
        raise ValueError("past consultations and strength cannot be negative")
    return Fraction(1, (1 + past) ** strength)


def weights_of(counts: Mapping[str, int], strength: int) -> dict[str, Fraction]:
    return {tid: weight(n, strength) for tid, n in counts.items()}


def inclusion_chances(weights: Mapping[str, Fraction], count: int) -> dict[str, Fraction]:
    """Each member's exact chance of being among ``count`` picks, proportional to weight, at most 1.

    Members whose share would exceed 1 are certain (chance 1) and the remaining picks
    are shared again among the others, until no share exceeds 1. The chances add up
    to ``min(count, len(weights))``.
    """
    stretches, scale = _stretches(weights, count)
    return {tid: Fraction(n, scale) for tid, n in stretches.items()}


def _stretches(weights: Mapping[str, Fraction], count: int) -> tuple[dict[str, int], int]:
    """The chances of :func:`inclusion_chances` as integers over one common denominator.

    Integers keep the systematic pass exact and fast: weights are scaled by the least
    common multiple of their denominators, and the last sharing round's total weight
    is the denominator (a certain member gets the whole of it).
    """
    if any(w <= 0 for w in weights.values()):
        raise ValueError("weights must be positive")
    scale = math.lcm(*(w.denominator for w in weights.values())) if weights else 1
    whole = {tid: int(w * scale) for tid, w in weights.items()}
    k = min(count, len(whole))
    certain: set[str] = set()
    while True:
        rest = {tid: w for tid, w in whole.items() if tid not in certain}
        left, total = k - len(certain), sum(rest.values())
        more = {tid for tid, w in rest.items() if left * w >= total}
        if not more or not rest:
            break
        certain |= more
    if not rest:
        return dict.fromkeys(certain, 1), 1
    return {tid: total if tid in certain else left * w for tid, w in whole.items()}, total


def uniform_chances(pool: Sequence[str], count: int) -> dict[str, Fraction]:
    """The chances of the plain draw: every member ``count / len(pool)``."""
    if not pool:
        return {}
    share = Fraction(min(count, len(pool)), len(pool))
    return dict.fromkeys(pool, share)


def fair_pick(seed: str, pool: Sequence[str], counts: Mapping[str, int], strength: int, count: int) -> list[str]:
    """``count`` members of ``pool`` picked with the chances of :func:`inclusion_chances`; pure and repeatable.

    The pool is sorted, shuffled by ``random.Random(seed)``, and laid on a line, each
    member taking a stretch as long as his chance; picks are the members under the
    points ``u, u + 1, ..., u + count - 1`` for a seeded start ``u`` in [0, 1). A
    stretch is at most 1 long, so nobody is picked twice.
    """
    missing = set(pool) - set(counts)
    if missing:
        raise ValueError(f"no past-consultation count for {sorted(missing)}")
    order = sorted(pool)
    rng = random.Random(seed)
    rng.shuffle(order)
    stretches, scale = _stretches(weights_of({t: counts[t] for t in order}, strength), count)
    start = rng.getrandbits(_START_BITS)
    unit = 1 << _START_BITS
    k = min(count, len(order))
    picked: list[str] = []
    end = 0
    for tid in order:
        end += stretches[tid]
        # the point start/unit + j lies before end/scale, in integers
        while len(picked) < k and (start + len(picked) * unit) * scale < end * unit:
            picked.append(tid)
    if len(picked) != k:  # the stretches add up to k exactly, so every point lands on a member
        raise AssertionError("systematic pass left points unassigned")
    return picked


def low_load(counts: Mapping[str, int]) -> set[str]:
    """Members consulted less than the pool's average in the window (none when all are equal)."""
    if not counts:
        return set()
    total, size = sum(counts.values()), len(counts)
    return {tid for tid, n in counts.items() if n * size < total}


def expected_share(chances: Mapping[str, Fraction], members: set[str], count: int) -> Fraction:
    """The expected part of the picks that goes to ``members``."""
    k = min(count, len(chances))
    if k == 0:
        return Fraction(0)
    return sum((chances[t] for t in members), Fraction(0)) / k


@dataclass(frozen=True)
class FairnessReport:
    """What the option does to one pool: stored with the draw, shown on the page and in the audit."""

    strength: int
    window_days: int
    since: str  # ISO date of the window's start
    counts: dict[str, int]  # past accepted consultations per pool member, in the window
    count: int  # picks

    @property
    def weights(self) -> dict[str, Fraction]:
        return weights_of(self.counts, self.strength)

    @property
    def chances_with(self) -> dict[str, Fraction]:
        return inclusion_chances(self.weights, self.count)

    @property
    def chances_without(self) -> dict[str, Fraction]:
        return uniform_chances(sorted(self.counts), self.count)

    @property
    def low_load(self) -> set[str]:
        return low_load(self.counts)

    def as_dict(self) -> dict[str, Any]:
        """JSON for the draw row and the audit; fractions as rounded numbers, the counts exact."""
        low, with_, without = self.low_load, self.chances_with, self.chances_without
        return {
            "strength": self.strength, "window_days": self.window_days, "since": self.since,
            "counts": dict(sorted(self.counts.items())),
            "weights": {t: round(float(w), 6) for t, w in sorted(self.weights.items())},
            "chances": {t: round(float(with_[t]), 4) for t in sorted(self.counts)},
            "chances_without": {t: round(float(without[t]), 4) for t in sorted(self.counts)},
            "low_load": sorted(low),
            "low_load_share": {"with": round(float(expected_share(with_, low, self.count)), 4),
                               "without": round(float(expected_share(without, low, self.count)), 4)},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], count: int) -> FairnessReport:
        return cls(int(data["strength"]), int(data["window_days"]), str(data["since"]),
                   {str(t): int(n) for t, n in data["counts"].items()}, count)
