"""Errors callers are expected to handle."""

from __future__ import annotations


class SearchError(Exception):
    """Base class of search errors."""


class SearchUnavailable(SearchError):
    """The backend cannot be reached right now; queue the change and retry later."""


class IndexMismatch(SearchError):
    """The index was built with another embedder or analyzer; it needs ``rebuild``.

    Mixing vectors or tokens of two configurations would silently corrupt
    rankings, so opening such an index for search or update is refused.
    """
