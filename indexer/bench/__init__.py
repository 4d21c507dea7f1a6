"""Benchmarks over the product's own taxonomy, which importing ``kb`` provides to the indexer."""

import kb  # noqa: F401 - provides the taxonomy (indexer.taxonomy.provide)
