"""Which uploaded files we accept, decided by their first bytes, not their name.

A name can say anything; the content decides. Office files are ZIP (OOXML) or
OLE2 containers, so for those the extension picks among the formats that share
the container, and a ZIP must also contain the OOXML part of that format.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    ext: str
    content_type: str


PDF = FileType("pdf", "application/pdf")
PNG = FileType("png", "image/png")
JPEG = FileType("jpg", "image/jpeg")
GIF = FileType("gif", "image/gif")
OOXML = {
    "docx": (FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), "word/"),
    "xlsx": (FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), "xl/"),
    "pptx": (FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"), "ppt/"),
}
OLE = {
    "doc": FileType("doc", "application/msword"),
    "xls": FileType("xls", "application/vnd.ms-excel"),
    "ppt": FileType("ppt", "application/vnd.ms-powerpoint"),
}
ALLOWED_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "gif", *OOXML, *OLE)


def sniff(data: bytes, filename: str = "") -> FileType | None:
    """The allowed type ``data`` really is, or None. ``filename`` only disambiguates containers."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data.startswith(b"PK\x03\x04") and ext in OOXML:
        ftype, part = OOXML[ext]
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return None
        return ftype if "[Content_Types].xml" in names and any(n.startswith(part) for n in names) else None
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and ext in OLE:
        return OLE[ext]
    return None
