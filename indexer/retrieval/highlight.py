"""Evidence snippets with matched query terms wrapped in ``<mark>``.

Everything that is not a mark tag is HTML-escaped, so passages and queries can
contain markup without any risk for the page that shows them.
"""

from __future__ import annotations

import html

from indexer.analysis import Analyzer, normalize

#: Evidence longer than this is cut to the window with the most matches.
SNIPPET_CHARS = 240


def match_spans(analyzer: Analyzer, text: str, words: set[str], grams: set[str]) -> list[tuple[int, int]]:
    """Merged ``[start, end)`` spans of ``text`` whose analysed terms are query terms."""
    norm = normalize(text)
    spans = sorted(norm.span(t.start, t.end) for t in analyzer.matching_tokens(norm.text, words, grams))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """The ``size``-character window covering the most matched characters."""
    if len(text) <= size:
        return 0, len(text)
    best_start, best_cover = 0, -1
    for anchor, _ in spans or [(0, 0)]:
        start = max(0, min(anchor - size // 6, len(text) - size))
        cover = sum(max(0, min(e, start + size) - max(s, start)) for s, e in spans)
        if cover > best_cover:
            best_start, best_cover = start, cover
    return best_start, best_start + size


def highlight(
    analyzer: Analyzer, text: str, words: set[str], grams: set[str], size: int = SNIPPET_CHARS
) -> tuple[str, str]:
    """``(plain snippet, escaped snippet with <mark>)`` for one passage."""
    spans = match_spans(analyzer, text, words, grams) if (words or grams) else []
    start, end = _window(text, spans, size)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    out = [html.escape(prefix)]
    cursor = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    out.append(html.escape(suffix))
    return prefix + text[start:end] + suffix, "".join(out)
