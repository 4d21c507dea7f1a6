"""Files attached to advice: checked by content, stored under random names.

An extension is a claim, the first bytes are the evidence: a file is accepted
only when both agree and the type is on the allow-list. Files live in
``KB_DATA_DIR/attachments`` under a random name, so an uploaded name can never
choose a path, overwrite another file or be guessed from outside.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.errors import ValidationError


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def _pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def _png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def _jpg(data: bytes) -> bool:
    return data.startswith(b"\xff\xd8\xff")


def _ooxml(marker: str) -> Callable[[bytes], bool]:
    """DOCX and XLSX are zip files; the part inside tells which one it is."""
    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return marker in z.namelist()
        except (zipfile.BadZipFile, ValueError):
            return False
    return check


def _txt(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


ALLOWED: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "pdf": ("application/pdf", _pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ooxml("word/document.xml")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ooxml("xl/workbook.xml")),
    "txt": ("text/plain", _txt),
    "png": ("image/png", _png),
    "jpg": ("image/jpeg", _jpg),
    "jpeg": ("image/jpeg", _jpg),
}


def check_upload(upload: Upload, max_bytes: int) -> str:
    """The content type of an acceptable upload; ValidationError says what is wrong."""
    name = Path(upload.filename or "").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        kinds = ", ".join(sorted(set(ALLOWED) - {"jpeg"}))
        raise ValidationError(f"{name or 'file'}: only {kinds} files are accepted", field="attachments",
                              code="attachment.type", params={"name": name, "kinds": kinds})
    if len(upload.data) > max_bytes:
        mb = max_bytes // (1024 * 1024)
        raise ValidationError(f"{name}: larger than {mb} MB", field="attachments",
                              code="attachment.too_large", params={"name": name, "mb": mb})
    if not upload.data:
        raise ValidationError(f"{name}: the file is empty", field="attachments",
                              code="attachment.empty", params={"name": name})
    content_type, looks_right = ALLOWED[ext]
    if not looks_right(upload.data):
        raise ValidationError(f"{name}: the content is not a .{ext} file", field="attachments",
                              code="attachment.mismatch", params={"name": name, "ext": ext})
    return content_type


def attachments_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "attachments"


def store(data_dir: Path, upload: Upload) -> tuple[str, str]:
    """Write the bytes under a fresh random name; returns (stored name, sha256)."""
    ext = upload.filename.rsplit(".", 1)[-1].lower()
    folder = attachments_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{ext}"
    (folder / stored).write_bytes(upload.data)
    return stored, hashlib.sha256(upload.data).hexdigest()
