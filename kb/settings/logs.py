"""Apply the logging configuration (config/logging.toml or logging.config) to this process.

The CLI applies it when ``kb`` starts and ``kb serve`` before gunicorn forks,
so every worker inherits it. The file configures only the product's loggers,
never the root logger: libraries keep their own defaults and a test runner's
log capture survives a CLI command run in-process.
"""

from __future__ import annotations

import logging
import logging.config
import sys
import tomllib
from typing import TextIO

from kb.settings.files import packaged
from kb.settings.sections import LoggingSettings

PRODUCT_LOGGERS = ("kb", "indexer", "web")


class StderrHandler(logging.StreamHandler[TextIO]):
    """A stream handler bound to whatever ``sys.stderr`` is when a record is written.

    A handler holding the stream it was created with keeps writing to a
    stream that was replaced and closed (click's test runner, a daemonising
    server), and every later record then fails.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """Ignored: the stream is always the current sys.stderr."""


def configure_logging(settings: LoggingSettings) -> None:
    path = settings.config or packaged("logging.toml")
    logging.config.dictConfig(tomllib.loads(path.read_text("utf-8")))
    for name in PRODUCT_LOGGERS:
        logging.getLogger(name).setLevel(settings.level)
