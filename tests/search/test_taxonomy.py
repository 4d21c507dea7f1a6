"""The indexer analyses with the taxonomy the product gives it, and with no other.

kb's ``taxonomy.json`` is the single source of labels; the indexer reads no
file of kb's. These tests give it other taxonomies and check that field labels
in passages and the segmenter's dictionary follow, and that a process which
gave none fails loudly instead of indexing without labels.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

import indexer.taxonomy as taxonomy
from indexer.analysis.chinese import dictionary_words
from indexer.passages import field_labels
from indexer.taxonomy import Label, Taxonomy, current_taxonomy, provide
from kb.taxonomy import load_taxonomy, search_taxonomy


@pytest.fixture
def restore_taxonomy() -> Iterator[None]:
    yield
    provide(search_taxonomy)


def _only(code: str, zh: str, en: str) -> Taxonomy:
    return Taxonomy(fields={code: Label(code, zh, en)}, categories={}, output_types={}, sectors={})


def test_the_indexer_sees_exactly_kbs_labels():
    kb_tax, seen = load_taxonomy(), current_taxonomy()
    for name in ("fields", "categories", "output_types", "sectors"):
        mine = {c: (lab.zh, lab.en) for c, lab in getattr(kb_tax, name).items()}
        assert {c: (lab.zh, lab.en) for c, lab in getattr(seen, name).items()} == mine, name


@pytest.mark.parametrize("code", sorted(load_taxonomy().fields))
def test_every_field_is_indexed_with_both_labels(code):
    field = load_taxonomy().fields[code]
    assert field_labels((code,)) == [f"{field.zh} {field.en}".strip()]


@pytest.mark.usefixtures("restore_taxonomy")
def test_a_provided_taxonomy_replaces_the_labels_and_the_dictionary():
    provide(lambda: _only("quantum", "量子计算机制造", "Quantum computing"))
    assert field_labels(("quantum", "insurance")) == ["量子计算机制造 Quantum computing", "insurance"]
    assert dictionary_words() == ["量子计算机制造"]


def test_a_process_that_provided_none_fails_loudly():
    code = (
        "from indexer.passages import field_labels\n"
        "from indexer.taxonomy import TaxonomyMissing\n"
        "try:\n    field_labels(('insurance',))\nexcept TaxonomyMissing:\n    print('missing')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "missing", out.stderr[-2000:]


def test_the_source_is_read_once():
    calls = []

    def source() -> Taxonomy:
        calls.append(1)
        return search_taxonomy()

    try:
        provide(source)
        for _ in range(3):
            current_taxonomy()
        assert calls == [1]
    finally:
        provide(search_taxonomy)
    assert taxonomy.current_taxonomy() == search_taxonomy()
