"""Text analysis shared by indexing, querying and highlighting."""

from indexer.analysis.analyzer import Analysis, Analyzer, Token, get_analyzer
from indexer.analysis.language import GROUPS, cjk_share, detect_language, language_group
from indexer.analysis.normalize import normalize, normalize_text

__all__ = [
    "GROUPS",
    "Analysis",
    "Analyzer",
    "Token",
    "cjk_share",
    "detect_language",
    "get_analyzer",
    "language_group",
    "normalize",
    "normalize_text",
]
