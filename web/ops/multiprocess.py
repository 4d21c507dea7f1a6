"""prometheus_client's multiprocess mode for ``kb serve``'s gunicorn workers.

Each worker is its own process with its own counters; a scrape reaches one
of them. In multiprocess mode every worker writes its values to files in one
directory and the worker answering a scrape sums them all. The library finds
that directory through the ``PROMETHEUS_MULTIPROC_DIR`` environment variable,
which must be set before it is first imported in a worker: gunicorn's
``raw_env`` sets it in the master, before any worker is forked.

The directory is ``<data_dir>/metrics`` and is emptied at every start, as the
library requires (files of an earlier run would be added to this one's).
Counters of workers that exited stay counted, as Prometheus expects of counters.
"""

from __future__ import annotations

import shutil
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def metrics_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "metrics"


def fresh_metrics_env(data_dir: Path) -> str:
    """Empty ``<data_dir>/metrics`` and return the gunicorn ``raw_env`` entry pointing at it."""
    path = metrics_dir(data_dir).resolve()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return f"{VARIABLE}={path}"
