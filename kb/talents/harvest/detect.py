"""Which format a file is, from its content (never its name), and its text.

Chinese databases (CNKI, Wanfang, CNIPA) still export GBK/GB18030, Western
ones UTF-8, Windows tools sometimes UTF-16 or UTF-8 with a BOM: text is tried
as UTF-8 (BOM or not), then UTF-16 when a BOM says so, then GB18030, which
decodes any byte string GBK can and is a superset of it.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from typing import Any

from kb.json_limits import JsonRefused, loads_bounded
from kb.talents.harvest import bibtex, csl_json, endnote_xml, orcid, patents, ris
from kb.talents.harvest.items import ItemError, Parsed
from kb.talents.limits import DEFAULT_LIMITS, ImportFileError, ImportLimits

FORMATS = ("bibtex", "ris", "csl-json", "endnote-xml", "orcid", "patents")
# ORCID records nest deeper than talent records (record → activities → works → group → summary → title → value).
MAX_JSON_DEPTH = 16

_RIS = re.compile(r"^TY  - ", re.M)
_BIBTEX = re.compile(r"^\s*@\w+\s*[{(]", re.M)


class UnknownFormat(ValueError):
    """The content matches none of the formats; the message lists them."""


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace"), "gb18030"
    if _gbk_in_disguise(raw, text):
        return raw.decode("gb18030"), "gb18030"
    return text, "utf-8"


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u303f" or "\u3400" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _gbk_in_disguise(raw: bytes, text: str) -> bool:
    """A short GBK text can be valid UTF-8 too (一 is D2 BB, UTF-8 for Cyrillic һ).

    Chinese in real UTF-8 is three bytes a character, so a text whose non-ASCII
    characters are all two-byte, of more than one script (real Greek or Russian
    is one script; GBK bytes read as UTF-8 are a jumble of Cyrillic, Arabic,
    Hebrew, ...), none of them the Latin letters of Western names (ü, é, ł), and
    which GB18030 reads as Chinese only, is GBK. A single such character stays
    ambiguous and is read as UTF-8.
    """
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide or any(ord(ch) > 0x7FF for ch in wide) or any(ord(ch) <= 0x24F for ch in wide):
        return False
    if len({unicodedata.name(ch, "?").split()[0] for ch in wide}) < 2:
        return False
    try:
        chinese = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return all(_is_cjk(ch) for ch in chinese if ord(ch) > 0x7F)


def _json(text: str) -> Any:
    try:
        return loads_bounded(text, MAX_JSON_DEPTH)
    except JsonRefused:
        return None


def detect(raw: bytes, text: str | None = None) -> str:
    """The format name of ``raw`` (one of FORMATS), or UnknownFormat."""
    return _detect(raw, text)[0]


def _detect(raw: bytes, text: str | None) -> tuple[str, Any]:
    """The format, and the decoded JSON when telling the format took parsing it (else None)."""
    if raw.startswith(patents.XLSX_MAGIC):
        return "patents", None
    text = decode(raw)[0] if text is None else text
    head = text.lstrip("\ufeff \t\r\n")[:200]
    if head.startswith("<"):
        if orcid.looks_like_xml(text):
            return "orcid", None
        if "<records" in text[:20000] and "<record" in text[:20000]:
            return "endnote-xml", None
    if head.startswith(("{", "[")):
        data = _json(text)
        if orcid.looks_like_json(data):
            return "orcid", data
        if isinstance(data, list | dict):
            return "csl-json", data
    if _RIS.search(text[:100000]):
        return "ris", None
    if _BIBTEX.search(text[:100000]):
        return "bibtex", None
    first = next((line for line in text.splitlines() if line.strip()), "")
    if patents.looks_like_patents(next(iter(_csv_first_row(first)), [])):
        return "patents", None
    raise UnknownFormat(
        "the file is none of BibTeX, RIS, CSL-JSON, EndNote XML, an ORCID record or a patent list (CSV/XLSX)"
    )


def _csv_first_row(line: str) -> list[list[str]]:
    return list(csv.reader([line]))


def parse_file(raw: bytes, fmt: str = "auto", limits: ImportLimits = DEFAULT_LIMITS) -> tuple[str, list[Parsed]]:
    """The format read and the items of the file (each a ``Harvested`` or an ``ItemError``).

    A file beyond the size limit, or of no known format, raises ImportFileError.
    """
    if len(raw) > limits.max_file_bytes:
        raise ImportFileError(f"the file has {len(raw)} bytes (at most {limits.max_file_bytes})")
    text = None if raw.startswith(patents.XLSX_MAGIC) else decode(raw)[0]
    data = None  # the decoded JSON, when detection parsed it already
    if fmt == "auto":
        try:
            fmt, data = _detect(raw, text)
        except UnknownFormat as exc:
            raise ImportFileError(str(exc)) from None
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown format {fmt!r}: use one of auto, {', '.join(FORMATS)}")
    if fmt == "patents":
        items = patents.parse(raw, limits)
    elif text is None:
        raise ImportFileError(f"an XLSX workbook is not a {fmt} file: only patent lists may be XLSX")
    else:
        items = _parse_text(fmt, text, data)
    if len(items) > limits.max_records:
        items = items[:limits.max_records] + [ItemError(f"more than {limits.max_records} items: the rest was not read")]
    return fmt, items


def _parse_text(fmt: str, text: str, data: Any = None) -> list[Parsed]:
    if fmt == "bibtex":
        return bibtex.parse(text)
    if fmt == "ris":
        return ris.parse(text)
    if fmt == "endnote-xml":
        return endnote_xml.parse(text)
    if fmt == "orcid":
        if text.lstrip("\ufeff \t\r\n").startswith("<"):
            return orcid.parse_xml_record(text)
        data = _json(text) if data is None else data
        return orcid.parse_json(data) if data is not None else [ItemError("not a readable ORCID JSON record")]
    data = _json(text) if data is None else data
    if data is None:
        return [ItemError("not readable JSON (or nested too deeply)")]
    return csl_json.parse(data)
