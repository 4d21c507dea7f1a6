"""Advice attachments: size limit, type allow-list checked by content, random names."""

from __future__ import annotations

import io
import zipfile

import pytest

from kb.consultations.attachments import Upload, check_upload
from kb.consultations.invitations import invite, submit_advice
from kb.consultations.requests import get_request
from kb.consultations.settings import ConsultationSettings
from kb.errors import ValidationError
from kb.talents import changes as ops
from tests.consultations.conftest import open_new

MB = 1024 * 1024


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_allow_list_checks_magic_bytes_not_only_the_name() -> None:
    assert check_upload(Upload("意见.pdf", b"%PDF-1.7\n..."), MB) == "application/pdf"
    assert check_upload(Upload("图.PNG", b"\x89PNG\r\n\x1a\n...."), MB) == "image/png"
    assert check_upload(Upload("photo.jpg", b"\xff\xd8\xff\xe0..."), MB) == "image/jpeg"
    assert check_upload(Upload("说明.txt", "中文说明".encode()), MB) == "text/plain"
    assert check_upload(Upload("报告.docx", docx_bytes()), MB).endswith("wordprocessingml.document")
    for bad in (Upload("evil.pdf", b"MZ\x90\x00 windows exe"), Upload("x.docx", b"PK\x03\x04 not a zip"),
                Upload("x.xlsx", docx_bytes()), Upload("x.txt", b"bin\x00ary"), Upload("run.exe", b"%PDF-"),
                Upload("noext", b"%PDF-"), Upload("empty.pdf", b"")):
        with pytest.raises(ValidationError):
            check_upload(bad, MB)


def test_size_limit() -> None:
    check_upload(Upload("big.txt", b"a" * MB), MB)
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        check_upload(Upload("big.txt", b"a" * (MB + 1)), MB)
    assert ConsultationSettings().attachment_max_bytes == 10 * MB


def test_advice_with_files_is_stored_under_random_names(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s, s.begin():
        [inv] = invite(s, people["researcher"], get_request(s, people["researcher"], rid), [ops.get_talent(s, "c-3")])
        inv_id = inv.id
    with kb.sessions() as s, s.begin():
        inv = get_request(s, people["c-3"], rid).invitations[0]
        with pytest.raises(ValidationError):
            submit_advice(s, people["c-3"], inv, "意见", [Upload("a.pdf", b"not a pdf")], data_dir=tmp_path)
        assert inv.state == "invited" and not (tmp_path / "attachments").exists()
        advice = submit_advice(s, people["c-3"], inv, "意见正文", [Upload("../../etc/意见.pdf", b"%PDF-1.4 x")],
                               data_dir=tmp_path)
        [att] = advice.attachments
        assert att.filename == "意见.pdf" and att.stored_name != att.filename and att.size == 10
        assert (tmp_path / "attachments" / att.stored_name).read_bytes() == b"%PDF-1.4 x"
        assert inv.id == inv_id and inv.state == "answered"
