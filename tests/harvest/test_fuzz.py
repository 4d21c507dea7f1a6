"""Hostile or broken files never escape as an exception: a file is readable (items, some of
which may be failures with a reason) or it is one file-level ImportFileError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.talents.harvest.detect import FORMATS, parse_file
from kb.talents.harvest.items import Harvested, ItemError
from kb.talents.harvest.mapping import to_output
from kb.talents.limits import ImportFileError
from tests.harvest.conftest import DATA

SAMPLES = sorted(p for p in DATA.iterdir() if p.suffix != ".tsv")


def _read(raw: bytes, fmt: str = "auto") -> None:
    try:
        _, items = parse_file(raw, fmt)
    except ImportFileError:
        return
    for item in items:
        assert isinstance(item, Harvested | ItemError)
        if isinstance(item, Harvested):
            mapped = to_output(item)
            assert mapped.error or mapped.values["title"]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), data=st.data())
def test_mutated_sample_files_read_or_fail_cleanly(sample, data) -> None:  # type: ignore[no-untyped-def]
    raw = bytearray(sample.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip" and raw:
            raw[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at:at + data.draw(st.integers(1, 64))]
        else:
            raw[at:at] = data.draw(st.binary(max_size=16))
    _read(bytes(raw))


@pytest.mark.parametrize("fmt", ["auto", *FORMATS])
@settings(max_examples=60)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_arbitrary_bytes_in_any_format_read_or_fail_cleanly(fmt: str, raw: bytes) -> None:
    _read(raw, fmt)
