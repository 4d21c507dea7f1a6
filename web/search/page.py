"""One page of search results as the user sees it: good matches, then the closest weak ones folded.

The engine orders a result set good matches (strong, partial) first and
counts them (``SearchResponse.matched``); this module cuts that into pages of
good matches — the number the page states — and, on the page where they end
(or when there are none), the few closest weak matches to fold underneath.
A page past the end says so instead of stating a count it does not show.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from indexer import SearchQuery, SearchResponse, SearchResult
from web.search.params import MAX_PAGE, SearchParams

#: Weak matches folded under the last page of good ones.
FOLDED_WEAK = 5


@dataclass(frozen=True)
class ResultPage:
    good: list[SearchResult]
    #: The closest weak matches, shown folded (only where the good ones end).
    weak: list[SearchResult]
    #: Experts that match well (strong or partial); every listed talent when browsing.
    matched: int
    pages: int
    #: The requested page lies beyond the last one (a stale or edited link).
    past_end: bool
    took_ms: float
    facets: dict[str, dict[str, int]]

    @property
    def no_good_match(self) -> bool:
        return self.matched == 0 and not self.past_end


def result_page(run: Callable[[SearchQuery], SearchResponse], params: SearchParams, page_size: int) -> ResultPage:
    offset = (params.page - 1) * page_size
    response = run(params.query(page_size, extra=FOLDED_WEAK if params.q else 0))
    matched = response.matched
    pages = min(MAX_PAGE, math.ceil(matched / page_size)) if matched else 1
    if params.page > pages:
        return ResultPage([], [], matched, pages, True, response.took_ms, response.facets)
    in_page = max(0, min(page_size, matched - offset))
    good = response.results[:in_page]
    weak = [r for r in response.results[in_page:] if r.match == "weak"][:FOLDED_WEAK] if params.q else []
    return ResultPage(good, weak, matched, pages, False, response.took_ms, response.facets)
