"""The search page's URL as a query and back.

The URL is the whole state of a search (shareable, bookmarkable), so parsing
it is strict about what it accepts and lenient about what it ignores: an
unknown field code or a bad page number is dropped, never an error page.

Needs are pasted from documents (up to ``MAX_QUERY`` characters), and a long
Chinese need does not fit in a URL: percent-encoded it is nine bytes a
character, past what servers accept in a request line (gunicorn: 4 094 bytes).
So the form posts, and the server answers a need whose URL stays within
``SHAREABLE_URL`` bytes with a redirect to that URL (shareable as before) and
renders a longer one directly, its links then being small forms that post the
same state (``shareable`` tells the template which).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer import SearchQuery
from indexer.retrieval.params import MAX_QUERY_CHARS
from kb.taxonomy import load_taxonomy

MAX_QUERY = MAX_QUERY_CHARS
MAX_PAGE = 100
#: Longest search URL (bytes) given as a link; longer searches are posted.
SHAREABLE_URL = 2048


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    categories: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    available: bool | None = None
    languages: tuple[str, ...] = ()
    page: int = 1

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> SearchParams:
        tax = load_taxonomy()
        available = {"1": True, "true": True, "0": False, "false": False}.get(args.get("available", "").lower())
        return cls(
            q=" ".join(args.get("q", "").split())[:MAX_QUERY],
            categories=_unique(c for c in args.getlist("category") if c in tax.categories),
            fields=_unique(f for f in args.getlist("field") if f in tax.fields),
            available=available,
            languages=_unique(lang for lang in args.getlist("lang") if lang.isalpha() and len(lang) <= 8),
            page=page_number(args.get("page"), MAX_PAGE),
        )

    @property
    def active(self) -> bool:
        """Empty text with filters browses by filters; nothing at all shows the introduction."""
        return bool(self.q or self.categories or self.fields or self.languages or self.available is not None)

    def query(self, page_size: int, extra: int = 0) -> SearchQuery:
        """This page's query; ``extra`` results beyond the page (the folded weak ones)."""
        return SearchQuery(
            text=self.q, categories=self.categories, fields=self.fields, available=self.available,
            languages=self.languages, offset=(self.page - 1) * page_size, limit=page_size + extra,
            mode="hybrid", with_facets=True,
        )

    def pairs(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        out += [("category", c) for c in self.categories]
        out += [("field", f) for f in self.fields]
        if self.available is not None:
            out.append(("available", "1" if self.available else "0"))
        out += [("lang", lang) for lang in self.languages]
        if self.page > 1:
            out.append(("page", str(self.page)))
        return out

    @property
    def href(self) -> str:
        return "/search?" + urlencode(self.pairs())

    @property
    def shareable(self) -> bool:
        """Short enough to be a link (see the module docstring)."""
        return len(self.href) <= SHAREABLE_URL

    def changed(self, **changes: object) -> SearchParams:
        """This search with ``changes`` applied; any filter change goes back to page 1."""
        values = {
            "q": self.q, "categories": self.categories, "fields": self.fields, "available": self.available,
            "languages": self.languages, "page": self.page,
        }
        if any(k != "page" for k in changes):
            values["page"] = 1
        values.update(changes)
        return SearchParams(**values)  # type: ignore[arg-type]

    def url(self, **changes: object) -> str:
        """This search's URL with ``changes`` applied; any filter change goes back to page 1."""
        return self.changed(**changes).href

    def toggled(self, name: str, value: str) -> SearchParams:
        """This search with one facet value switched on or off."""
        current: tuple[str, ...] = getattr(self, name)
        new = tuple(v for v in current if v != value) if value in current else (*current, value)
        return self.changed(**{name: new})

    def toggle(self, name: str, value: str) -> str:
        """URL with one facet value switched on or off."""
        return self.toggled(name, value).href


def page_number(raw: str | None, last: int) -> int:
    """A page number from the URL, within 1..``last``; anything that is not a number ("abc", "²",
    5,000 digits) is page 1. Bounded because the page becomes the search's offset."""
    try:
        return min(last, max(1, int(raw or "1")))
    except ValueError:
        return 1


def _unique(values: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))  # type: ignore[arg-type]


def truthy_key(key: object) -> bool | None:
    """Facet keys for availability may arrive as bools or strings ("true", "1")."""
    if isinstance(key, bool):
        return key
    text = str(key).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def availability_counts(facets: dict) -> dict[bool, int]:
    out: dict[bool, int] = {}
    for key, n in (facets.get("available") or {}).items():
        flag = truthy_key(key)
        if flag is not None:
            out[flag] = out.get(flag, 0) + int(n)
    return out
