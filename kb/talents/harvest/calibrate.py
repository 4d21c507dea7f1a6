"""Precision and recall of the title-duplicate rule on a labelled pairs file, by threshold.

``python -m kb.talents.harvest.calibrate [tests/data/harvest/title_pairs.tsv]``
prints one line per threshold; the chosen one is duplicates.TITLE_THRESHOLD.
A pair counts as found when the similarity of its normalised titles reaches
the threshold (identifiers are left out: the file measures the title rule alone).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from kb.talents.harvest.duplicates import TITLE_THRESHOLD, title_similarity

DEFAULT_PAIRS = Path(__file__).resolve().parents[3] / "tests" / "data" / "harvest" / "title_pairs.tsv"


@dataclass(frozen=True)
class Measure:
    threshold: float
    precision: float
    recall: float
    true_pos: int
    false_pos: int
    false_neg: int


def read_pairs(path: Path) -> list[tuple[str, str, bool]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        a, b, label = line.split("\t")
        pairs.append((a, b, label.strip() == "1"))
    return pairs


def measure(pairs: list[tuple[str, str, bool]], threshold: float) -> Measure:
    tp = fp = fn = 0
    for a, b, same in pairs:
        found = title_similarity(a, b) >= threshold
        tp += found and same
        fp += found and not same
        fn += same and not found
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Measure(threshold, precision, recall, tp, fp, fn)


def main(argv: list[str]) -> int:
    pairs = read_pairs(Path(argv[0]) if argv else DEFAULT_PAIRS)
    print(f"{len(pairs)} pairs, {sum(s for *_, s in pairs)} duplicates")
    for threshold in range(80, 100, 1):
        m = measure(pairs, threshold)
        mark = "  ← chosen" if threshold == TITLE_THRESHOLD else ""
        print(f"threshold {threshold:3d}: precision {m.precision:.3f} recall {m.recall:.3f} "
              f"(tp {m.true_pos}, fp {m.false_pos}, fn {m.false_neg}){mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
