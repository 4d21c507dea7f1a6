"""Readers that turn an import file into numbered records.

JSON Lines is the native format. Spreadsheets (CSV, XLSX) arrive from district
offices, so they are mapped onto the same record; the column mapping is
documented in docs/import-format.md. Each reader yields ``(line, record)`` or
``(line, error message)`` and never stops at a bad line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def read_records(path: Path, data: bytes | None = None) -> Iterator[Parsed]:
    """Dispatch on the file's extension."""
    suffix = path.suffix.lower()
    raw = data if data is not None else path.read_bytes()
    if suffix in (".jsonl", ".ndjson", ".json"):
        yield from read_jsonl(raw)
    elif suffix == ".csv":
        yield from read_table(_csv_rows(raw))
    elif suffix == ".xlsx":
        yield from read_table(_xlsx_rows(raw))
    else:
        yield 0, None, f"unsupported file type {suffix or '(none)'}: use .jsonl, .csv or .xlsx"


def read_jsonl(raw: bytes) -> Iterator[Parsed]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 0, None, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        return
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, None, f"invalid JSON: {exc.msg} (column {exc.colno})"
            continue
        if not isinstance(rec, dict):
            yield n, None, "a record must be a JSON object"
            continue
        yield n, rec, None


def _csv_rows(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")  # Excel in zh-CN saves CSV as GBK
    reader = csv.reader(io.StringIO(text, newline=""))
    for row in reader:
        yield reader.line_num, row


def _xlsx_rows(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise ValueError(f"not a readable XLSX workbook: {exc}") from exc
    ws = wb.worksheets[0]
    for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
        yield n, ["" if v is None else str(v) if not isinstance(v, float) or not v.is_integer() else str(int(v))
                  for v in row]
    wb.close()


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


def read_table(rows: Iterator[tuple[int, list[str]]]) -> Iterator[Parsed]:
    """One talent per row; further rows with the same id add outputs."""
    try:
        first = next(rows, None)
    except ValueError as exc:
        yield 0, None, str(exc)
        return
    if first is None:
        return
    header_line, header = first
    keys = [COLUMNS.get(h.strip().lower(), COLUMNS.get(h.strip(), "")) for h in header]
    unknown = [h for h, k in zip(header, keys, strict=True) if h.strip() and not k]
    if "id" not in keys:
        yield header_line, None, "the header row has no 'id' (编号) column"
        return
    if unknown:
        yield header_line, None, f"unknown column(s): {', '.join(unknown)}"
        return
    current: dict[str, Any] | None = None
    current_line = 0
    try:
        for line, row in rows:
            cells = {k: (row[i].strip() if i < len(row) else "") for i, k in enumerate(keys) if k}
            if not any(cells.values()):
                continue
            if current is not None and cells.get("id") == current["id"]:
                _add_output(current, cells)
                continue
            if current is not None:
                yield current_line, current, None
            current, current_line = _talent_from_cells(cells), line
    except ValueError as exc:
        yield 0, None, str(exc)
    if current is not None:
        yield current_line, current, None


def _talent_from_cells(cells: dict[str, str]) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    for key in ("id", "name", "name_en", "category", "title", "organization", "bio"):
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
