"""The one writer of spreadsheets the product hands out (CSV and XLSX).

Every cell of an export may hold user input (advice text, decline reasons,
attachment names, organizations), and a spreadsheet program runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula: a hostile name becomes a live ``=HYPERLINK`` or worse in the
commissioner's Excel. So every export goes through here, and every text cell
that could start a formula is prefixed with an apostrophe, which Excel and
LibreOffice show as text. Control characters that XLSX cannot store (and that
would make openpyxl refuse the whole file) are dropped from every cell.

Headers are bilingual ("中文 English"), because exports are read by Chinese
staff and passed on to English-speaking partners. CSV is UTF-8 with a BOM and
CRLF line ends, which is what Excel needs to read Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kb.localtime import DEFAULT_TIMEZONE, wall_time

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# C0 and C1 control characters except tab, line feed and carriage return: XML 1.0 (and so XLSX) cannot carry them.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    """One column of an export: its Chinese and English label."""

    zh: str
    en: str

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


def headers(columns: Sequence[Column]) -> list[str]:
    return [c.header for c in columns]


def neutralise(value: object, tz: str = DEFAULT_TIMEZONE) -> Cell:
    """A cell value that a spreadsheet shows as written and never evaluates.

    Numbers stay numbers (a rating of 5, a count of -1 is data, not a formula);
    a stored (UTC) time becomes the wall time in ``tz`` (the locale.timezone
    setting: the reader is in Luohu, as on the pages), a plain date ISO text;
    every string loses unstorable control characters and gets a leading
    apostrophe if it could start a formula.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return wall_time(value, tz)
    text = _UNSTORABLE.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]], *, tz: str = DEFAULT_TIMEZONE) -> bytes:
    """UTF-8 with a BOM and CRLF line ends, every cell neutralised (the header too), times in ``tz``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v, tz) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], title: str = "Export", *,
            tz: str = DEFAULT_TIMEZONE) -> bytes:
    """One sheet: a bold, frozen header row and neutralised cells, columns sized to their content."""
    return to_xlsx_sheets([(title, header, rows)], tz=tz)


def to_xlsx_sheets(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]], *,
                   tz: str = DEFAULT_TIMEZONE) -> bytes:
    """Several sheets of (title, header, rows), each written as ``to_xlsx`` writes its one."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    default = wb.worksheets[0]
    for position, (title, header, rows) in enumerate(sheets):
        ws = wb.create_sheet(_sheet_title(title), position)  # typed as a worksheet, unlike wb.active
        ws.append([neutralise(h) for h in header])
        for row in rows:
            ws.append([neutralise(v, tz) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[get_column_letter(col[0].column)].width = min(40, max(8, width * 1.6))
    wb.remove(default)  # the empty default sheet
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(title: str) -> str:
    """Sheet names are at most 31 characters, without ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", _UNSTORABLE.sub("", title)).strip()[:31] or "Export"
