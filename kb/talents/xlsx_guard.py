"""Checks an XLSX archive against the import limits before openpyxl opens it.

openpyxl trusts the archive: it decompresses whatever a part holds and keeps the
whole shared-string table in memory, so a small file of highly compressible
strings costs minutes and hundreds of megabytes. Here every part's declared
size is checked first (cheap: the zip directory), then every part is actually
decompressed in chunks and counted, so a part that lies about its size or fails
its CRC is refused too, and the shared-string table is counted with a streaming
parser that keeps nothing. Only an archive that passes reaches openpyxl.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO, Any
from xml.parsers import expat

from defusedxml.ElementTree import fromstring
from openpyxl.packaging.manifest import Manifest
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS

from kb.talents.limits import ImportFileError, ImportLimits

CHUNK = 1 << 16


def check_xlsx(raw: bytes, limits: ImportLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            _check_directory(archive, limits)
            for info in archive.infolist():
                _check_actual_size(archive, info, limits)
            strings_part = _shared_strings_part(archive)
            if strings_part is not None:
                with archive.open(strings_part) as src:
                    _check_shared_strings(src, limits)
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and XML parsers raise many kinds for a broken file
        raise ImportFileError(f"not a readable XLSX workbook: {type(exc).__name__}: {str(exc)[:200]}") from exc


def _check_directory(archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise ImportFileError(f"the XLSX archive has {len(members)} parts (at most {limits.max_zip_members})")
    total = 0
    for info in members:
        if info.file_size > limits.max_member_bytes:
            raise ImportFileError(
                f"the XLSX part {info.filename[:80]} expands to {info.file_size} bytes "
                f"(at most {limits.max_member_bytes})")
        total += info.file_size
    if total > limits.max_unzipped_bytes:
        raise ImportFileError(f"the XLSX archive expands to {total} bytes (at most {limits.max_unzipped_bytes})")


def _check_actual_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ImportLimits) -> None:
    """Decompress and count: the declared size is the archive's claim, not a fact."""
    seen = 0
    with archive.open(info) as part:
        while chunk := part.read(CHUNK):
            seen += len(chunk)
            if seen > min(info.file_size, limits.max_member_bytes):
                raise ImportFileError(f"the XLSX part {info.filename[:80]} expands beyond its declared size")


def _shared_strings_part(archive: zipfile.ZipFile) -> str | None:
    """The part openpyxl will read as the shared-string table (named by the content types)."""
    try:
        # types-openpyxl asks for its own element protocol, which the standard library's
        # Element (what defusedxml returns) does not declare although openpyxl reads it;
        # and its Manifest.find is untyped, hence Any
        manifest: Any = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))  # type: ignore[arg-type]
    except KeyError:
        return None  # no content types: openpyxl refuses the file itself
    if manifest is None:
        return None
    part = manifest.find(SHARED_STRINGS)
    return part.PartName.lstrip("/") if part is not None else None


def _check_shared_strings(src: IO[bytes], limits: ImportLimits) -> None:
    """Count entries and characters with expat callbacks (nothing is built); a DTD is refused
    outright, as defusedxml would, so entity expansion cannot inflate the count."""
    count = chars = 0
    in_text = False

    def start(name: str, _attrs: object) -> None:
        nonlocal count, in_text
        local = name.rpartition(":")[2]
        if local == "si":
            count += 1
            if count > limits.max_shared_strings:
                raise ImportFileError(f"the XLSX has more than {limits.max_shared_strings} shared strings")
        in_text = local == "t"

    def end(_name: str) -> None:
        nonlocal in_text
        in_text = False

    def text(data: str) -> None:
        nonlocal chars
        if in_text:
            chars += len(data)
            if chars > limits.max_shared_string_chars:
                raise ImportFileError(
                    f"the XLSX's shared strings hold more than {limits.max_shared_string_chars} characters")

    def no_dtd(*_args: object) -> None:
        raise ImportFileError("the XLSX's shared strings declare a DTD")

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    while chunk := src.read(CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
