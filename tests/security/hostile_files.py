"""Builders of hostile import files: XLSX archives assembled part by part (so the
shared strings, the sheet XML, the workbook and the zip directory can each be
made to lie), and JSON Lines / CSV with extreme shapes."""

from __future__ import annotations

import io
import struct
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ["id", "name", "category", "organization", "fields", "research_directions"]

CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEETS = f'<sheets><sheet name="talents" sheetId="1" r:id="rId1" xmlns:r="{REL}"/></sheets>'


def workbook_xml(with_sheet: bool = True) -> str:
    return f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{SHEETS if with_sheet else "<sheets/>"}</workbook>'


def shared_strings_xml(strings: list[str] | None = None, repeat: tuple[str, int] | None = None) -> bytes:
    """The table; ``repeat=(text, n)`` writes ``n`` copies without building them in Python."""
    head = f'<sst xmlns="{MAIN}">'.encode()
    body = b"".join(f"<si><t>{escape(s)}</t></si>".encode() for s in strings or [])
    if repeat:
        body += f"<si><t>{escape(repeat[0])}</t></si>".encode() * repeat[1]
    return head + body + b"</sst>"


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def sheet_xml(rows: list[list[str | int]]) -> bytes:
    """Cells given as ints are shared-string indexes; strings are written inline."""
    out = [f'<worksheet xmlns="{MAIN}"><sheetData>']
    for r, row in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, value in enumerate(row):
            ref = f"{_col(c)}{r}"
            if isinstance(value, int):
                out.append(f'<c r="{ref}" t="s"><v>{value}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def xlsx(parts: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buf.getvalue()


def workbook_parts(sheet: bytes, strings: bytes | None = None, with_sheet: bool = True) -> dict[str, bytes | str]:
    return {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": workbook_xml(with_sheet), "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": strings or shared_strings_xml([])}


def valid_xlsx(n: int = 3) -> bytes:
    rows: list[list[str | int]] = [list(HEADER)]
    rows += [[f"h-{i}", f"专家{i}", "B", "深圳大学", "banking", "供应链金融"] for i in range(n)]
    return xlsx(workbook_parts(sheet_xml(rows)))


def understate_sizes(raw: bytes, factor: int = 64) -> bytes:
    """Rewrite every declared uncompressed size (local headers and central directory) as
    ``size // factor``: the archive now lies about how much it expands."""
    data = bytearray(raw)
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) != -1:
        size = struct.unpack_from("<I", data, pos + 22)[0]
        struct.pack_into("<I", data, pos + 22, size // factor)
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        size = struct.unpack_from("<I", data, pos + 24)[0]
        struct.pack_into("<I", data, pos + 24, size // factor)
        pos += 4
    return bytes(data)
