"""The logging configuration (config/logging.toml) as the CLI applies it."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.settings.logs import PRODUCT_LOGGERS, StderrHandler, configure_logging
from kb.settings.sections import LoggingSettings


@pytest.fixture(autouse=True)
def restore_loggers() -> Iterator[None]:
    saved = {n: (logging.getLogger(n).level, list(logging.getLogger(n).handlers), logging.getLogger(n).propagate)
             for n in PRODUCT_LOGGERS}
    yield
    for name, (level, handlers, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate


@pytest.mark.parametrize("level", ["DEBUG", "WARNING", "ERROR"])
def test_the_cli_applies_the_configured_level(level: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init"], env={"KB_DATA_DIR": str(tmp_path), "KB_LOG_LEVEL": level,
                                                     "KB_CONFIG": ""})
    assert result.exit_code == 0, result.output
    for name in PRODUCT_LOGGERS:
        logger = logging.getLogger(name)
        assert logger.level == getattr(logging, level)
        assert any(isinstance(h, StderrHandler) for h in logger.handlers)


def test_records_go_to_the_current_stderr_even_after_it_was_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_logging(LoggingSettings(level="INFO"))
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    logging.getLogger("kb.test").info("one")
    first.close()  # as a test runner closes the stream it captured into
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("indexer.test").warning("two")
    logging.getLogger("web.test").debug("below the level")
    assert second.getvalue().count("\n") == 1 and "WARNING indexer.test" in second.getvalue()


def test_an_operators_logging_file_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "logging.toml"
    own.write_text('version = 1\ndisable_existing_loggers = false\n[formatters.bare]\nformat = "%(message)s!"\n'
                   '[handlers.err]\n"()" = "kb.settings.logs.StderrHandler"\nformatter = "bare"\n'
                   '[loggers.kb]\nhandlers = ["err"]\n', "utf-8")
    configure_logging(LoggingSettings(level="INFO", config=own))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    logging.getLogger("kb.x").info("hello")
    assert out.getvalue() == "hello!\n"
