"""Patent lists (CSV or XLSX, as exported from CNIPA, incoPat, PatSnap or kept by hand),
with Chinese or English headers: number, title, applicants, inventors, dates, status.

Rows are read by the talent importer's readers (kb/talents/readers.py), so the
same streaming limits bound a patent file as a talent file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from kb.talents.harvest.items import (
    Harvested,
    ItemError,
    Parsed,
    clean,
    has_chinese,
    natural_name,
    split_keywords,
    year_in,
)
from kb.talents.limits import DEFAULT_LIMITS, ImportLimits
from kb.talents.readers import BadRow, Row, _csv_rows, _row_problem, _xlsx_rows

XLSX_MAGIC = b"PK\x03\x04"

# Header (normalised: NFKC, lower case, no spaces) → item field. The first header of a
# field found in the file wins, so a publication number beats an application number.
HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("专利号", "公开(公告)号", "公开号", "公告号", "授权公告号", "patentnumber", "publicationnumber",
               "patentno.", "patentno", "number", "no."),
    "application_number": ("申请号", "applicationnumber", "applicationno."),
    "title": ("专利名称", "发明名称", "名称", "标题", "title", "patenttitle"),
    "applicants": ("申请(专利权)人", "专利权人", "申请人", "权利人", "applicants", "applicant", "assignee", "assignees",
                   "patentee"),
    "inventors": ("发明人", "设计人", "发明(设计)人", "inventors", "inventor"),
    "application_date": ("申请日", "申请日期", "applicationdate", "filingdate"),
    "publication_date": ("公开(公告)日", "公开日", "公告日", "publicationdate"),
    "grant_date": ("授权日", "授权公告日", "grantdate", "issuedate"),
    "status": ("法律状态", "当前法律状态", "状态", "status", "legalstatus"),
    "patent_type": ("专利类型", "类型", "type", "patenttype"),
    "abstract": ("摘要", "abstract"),
    "keywords": ("关键词", "keywords"),
    "url": ("链接", "url", "link"),
}
_LOOKUP = {h: key for key, names in HEADERS.items() for h in names}
DETAIL_LABELS = {
    "application_number": ("申请号", "application no."), "application_date": ("申请日", "filed"),
    "publication_date": ("公开日", "published"), "grant_date": ("授权日", "granted"),
    "status": ("法律状态", "status"), "patent_type": ("专利类型", "type"),
}


def header_key(cell: str) -> str | None:
    return _LOOKUP.get("".join(unicodedata.normalize("NFKC", cell).lower().split()))


def looks_like_patents(first_row: list[str]) -> bool:
    keys = {header_key(c) for c in first_row}
    return "title" in keys and bool(keys & {"number", "application_number", "inventors", "applicants"})


def rows(raw: bytes, limits: ImportLimits = DEFAULT_LIMITS) -> Iterator[Row]:
    return _xlsx_rows(raw, limits) if raw.startswith(XLSX_MAGIC) else _csv_rows(raw)


def parse(raw: bytes, limits: ImportLimits = DEFAULT_LIMITS) -> list[Parsed]:
    """One item per data row; a row beyond the limits is an error for that row, a file beyond them one error."""
    items: list[Parsed] = []
    columns: dict[int, str] | None = None
    chinese = False
    for n, row in rows(raw, limits):
        if n > limits.max_records:
            items.append(ItemError(f"more than {limits.max_records} rows: the rest of the file was not read"))
            break
        problem = _row_problem(row, limits)
        if problem:
            items.append(ItemError(f"row {n}: {problem}"))
            continue
        assert not isinstance(row, BadRow)
        if columns is None:
            columns = {}
            for i, cell in enumerate(row):
                key = header_key(cell)
                if key and key not in columns.values():
                    columns[i] = key
            if "title" not in columns.values():
                return [ItemError("no title column (专利名称 / title) in the first row")]
            chinese = has_chinese("".join(row))
            continue
        if not any(c.strip() for c in row):
            continue
        cells = {key: clean(row[i]) for i, key in columns.items() if i < len(row)}
        items.append(_item(cells, chinese))
    return items


def _names(value: str) -> list[str]:
    return [natural_name(n) for n in split_keywords(value)]


def _item(cells: dict[str, str], chinese: bool) -> Harvested:
    details = []
    for key, (zh, en) in DETAIL_LABELS.items():
        if cells.get(key):
            details.append(f"{zh if chinese else en}: {cells[key]}")
    year = year_in(cells.get("grant_date")) or year_in(cells.get("publication_date")) \
        or year_in(cells.get("application_date"))
    return Harvested(
        kind="patent",
        title=cells.get("title", ""),
        authors=_names(cells.get("inventors", "")),
        year=year,
        venue="; ".join(split_keywords(cells.get("applicants", ""))),
        number=cells.get("number") or cells.get("application_number", ""),
        abstract=cells.get("abstract", ""),
        keywords=split_keywords(cells.get("keywords", "")),
        url=cells.get("url", ""),
        details=details,
    )
