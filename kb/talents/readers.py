"""Readers that turn an import file into numbered records.

JSON Lines is the native format. Spreadsheets (CSV, XLSX) arrive from district
offices, so they are mapped onto the same record; the column mapping is
documented in docs/import-format.md. Each reader yields ``(line, record)`` or
``(line, error message)`` and never stops at a bad line; a file beyond the
import limits (kb/talents/limits.py) ends as one error, checked while the file
streams, never as an exception.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.json_limits import JsonRefused, loads_bounded
from kb.talents.limits import DEFAULT_LIMITS, ImportFileError, ImportLimits
from kb.talents.xlsx_guard import check_xlsx

Parsed = tuple[int, dict[str, Any] | None, str | None]

# Column headers (English and Chinese) → record keys.
COLUMNS: dict[str, str] = {
    "id": "id", "编号": "id",
    "name": "name", "姓名": "name",
    "name_en": "name_en", "英文名": "name_en",
    "category": "category", "类别": "category",
    "title": "title", "职务职称": "title", "职务": "title",
    "organization": "organization", "单位": "organization",
    "fields": "fields", "领域": "fields",
    "research_directions": "research_directions", "研究方向": "research_directions",
    "bio": "bio", "简介": "bio",
    "languages": "languages", "语言": "languages",
    "available_for_consultation": "available_for_consultation", "可咨询": "available_for_consultation",
    "email": "email", "邮箱": "email",
    "phone": "phone", "电话": "phone",
    "certification_status": "certification_status", "认定状态": "certification_status",
    "certified_on": "certified_on", "认定日期": "certified_on",
    "output_type": "output_type", "成果类型": "output_type",
    "output_title": "output_title", "成果名称": "output_title",
    "output_year": "output_year", "成果年份": "output_year",
    "output_venue": "output_venue", "发表载体": "output_venue",
    "output_abstract": "output_abstract", "成果摘要": "output_abstract",
    "output_url": "output_url", "成果链接": "output_url",
}
LIST_SEPARATORS = (";", "；", "\n", "|")
TRUE = {"true", "yes", "y", "1", "是", "可", "t"}
FALSE = {"false", "no", "n", "0", "否", "不可", "f"}


def read_records(path: Path, data: bytes | None = None, limits: ImportLimits = DEFAULT_LIMITS) -> Iterator[Parsed]:
    """Dispatch on the file's extension; a file beyond the limits is one file-level error."""
    suffix = path.suffix.lower()
    if data is None and path.stat().st_size > limits.max_file_bytes:
        yield 0, None, f"the file has {path.stat().st_size} bytes (at most {limits.max_file_bytes})"
        return
    raw = data if data is not None else path.read_bytes()
    if len(raw) > limits.max_file_bytes:
        yield 0, None, f"the file has {len(raw)} bytes (at most {limits.max_file_bytes})"
        return
    if suffix in (".jsonl", ".ndjson", ".json"):
        yield from read_jsonl(raw, limits)
    elif suffix == ".csv":
        yield from read_table(_csv_rows(raw), limits)
    elif suffix == ".xlsx":
        yield from read_table(_xlsx_rows(raw, limits), limits)
    else:
        yield 0, None, f"unsupported file type {suffix or '(none)'}: use .jsonl, .csv or .xlsx"


def read_jsonl(raw: bytes, limits: ImportLimits = DEFAULT_LIMITS) -> Iterator[Parsed]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 0, None, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        return
    for n, line in enumerate(text.splitlines(), start=1):
        if n > limits.max_records:
            yield n, None, f"more than {limits.max_records} lines: the rest of the file was not read"
            return
        if not line.strip():
            continue
        if len(line.encode("utf-8", "surrogatepass")) > limits.max_line_bytes:
            yield n, None, f"the line is longer than {limits.max_line_bytes} bytes"
            continue
        try:
            rec = loads_bounded(line, limits.max_json_depth)
        except JsonRefused as exc:
            yield n, None, str(exc)
            continue
        if not isinstance(rec, dict):
            yield n, None, "a record must be a JSON object"
            continue
        yield n, rec, None


@dataclass(frozen=True)
class BadRow:
    """A spreadsheet row that could not be read; the rows after it still can."""

    message: str


Row = tuple[int, "list[str] | BadRow"]


def _csv_rows(raw: bytes) -> Iterator[Row]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")  # Excel in zh-CN saves CSV as GBK
    # The csv module's field limit is process-wide, so it is left alone: a field beyond it is
    # reported for its line (the reader carries on with the next one), a shorter one that is
    # still over max_cell_chars by read_table.
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, BadRow(f"unreadable CSV: {exc}")
            continue
        yield reader.line_num, row


def _xlsx_rows(raw: bytes, limits: ImportLimits) -> Iterator[Row]:
    """Rows of the first worksheet, streamed (read-only mode) after the archive passed its checks."""
    from openpyxl import load_workbook

    check_xlsx(raw, limits)
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise ImportFileError(f"not a readable XLSX workbook: {type(exc).__name__}: {str(exc)[:200]}") from exc
    try:
        if not wb.worksheets:
            raise ImportFileError("the XLSX workbook has no worksheet")
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # the declared size is the file's claim: rows are counted as they come
        rows = ws.iter_rows(min_row=1, max_col=limits.max_columns, values_only=True)
        for n, row in enumerate(rows, start=1):
            yield n, [_cell_text(v) for v in row]
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML surfaces while streaming
        raise ImportFileError(f"the XLSX worksheet is malformed: {type(exc).__name__}: {str(exc)[:200]}") from exc
    finally:
        wb.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split(value: str) -> list[str]:
    for sep in LIST_SEPARATORS:
        value = value.replace(sep, "\x00")
    if "\x00" not in value and "," in value and " " not in value.strip():
        value = value.replace(",", "\x00")  # "banking,funds" for field codes
    return [v.strip() for v in value.split("\x00") if v.strip()]


def _bool(value: str) -> bool | str:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    return value  # left as text so validation reports it


def read_table(rows: Iterator[Row], limits: ImportLimits = DEFAULT_LIMITS) -> Iterator[Parsed]:
    """One talent per row; further rows with the same id add outputs."""
    try:
        first = next(rows, None)
    except ImportFileError as exc:
        yield 0, None, str(exc)
        return
    if first is None:
        return
    header_line, header = first
    if isinstance(header, BadRow):
        yield header_line, None, header.message
        return
    keys = [COLUMNS.get(h.strip().lower(), COLUMNS.get(h.strip(), "")) for h in header[: limits.max_columns]]
    unknown = [h[:80] for h, k in zip(header, keys, strict=False) if h.strip() and not k]
    if "id" not in keys:
        yield header_line, None, "the header row has no 'id' (编号) column"
        return
    if unknown:
        yield header_line, None, f"unknown column(s): {', '.join(unknown[:20])}"
        return
    current: dict[str, Any] | None = None
    current_line = 0
    count = 1
    try:
        for line, row in rows:
            count += 1
            if count > limits.max_records:
                yield line, None, f"more than {limits.max_records} rows: the rest of the file was not read"
                break
            problem = _row_problem(row, limits)
            if problem:
                yield line, None, problem
                continue
            assert not isinstance(row, BadRow)
            cells = {k: (row[i].strip() if i < len(row) else "") for i, k in enumerate(keys) if k}
            if not any(cells.values()):
                continue
            if current is not None and cells.get("id") == current["id"]:
                _add_output(current, cells)
                continue
            if current is not None:
                yield current_line, current, None
            current, current_line = _talent_from_cells(cells), line
    except ImportFileError as exc:
        yield 0, None, f"{exc}; the rest of the file was not read"
        if current is not None:
            yield current_line, None, "not imported: its rows could not all be read"
        return
    if current is not None:
        yield current_line, current, None


def _row_problem(row: list[str] | BadRow, limits: ImportLimits) -> str:
    if isinstance(row, BadRow):
        return row.message
    if len(row) > limits.max_columns:
        return f"the row has {len(row)} cells (at most {limits.max_columns})"
    longest = max((len(c) for c in row), default=0)
    if longest > limits.max_cell_chars:
        return f"a cell holds {longest} characters (at most {limits.max_cell_chars})"
    return ""


def _talent_from_cells(cells: dict[str, str]) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    for key in ("id", "name", "name_en", "category", "title", "organization", "bio", "certification_status",
                "certified_on"):
        if cells.get(key):
            rec[key] = cells[key]
    for key in ("fields", "research_directions", "languages"):
        if cells.get(key):
            rec[key] = _split(cells[key])
    if cells.get("available_for_consultation"):
        rec["available_for_consultation"] = _bool(cells["available_for_consultation"])
    contact = {k: cells[k] for k in ("email", "phone") if cells.get(k)}
    if contact:
        rec["contact"] = contact
    _add_output(rec, cells)
    return rec


def _add_output(rec: dict[str, Any], cells: dict[str, str]) -> None:
    if not any(cells.get(k) for k in ("output_type", "output_title")):
        return
    out: dict[str, Any] = {"type": cells.get("output_type", ""), "title": cells.get("output_title", "")}
    if cells.get("output_year"):
        year = cells["output_year"]
        out["year"] = int(year) if year.isdigit() else year
    for key in ("venue", "abstract", "url"):
        if cells.get(f"output_{key}"):
            out[key] = cells[f"output_{key}"]
    rec.setdefault("outputs", []).append(out)
