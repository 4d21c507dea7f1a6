"""web.max_upload_mb is the one upload limit: request bodies, consultation attachments, event materials."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.consultations.attachments import check_upload
from kb.consultations.invitations import Upload
from kb.context import KnowledgeBase
from kb.errors import ValidationError
from kb.settings import load_settings
from kb.uploads import MB


@pytest.mark.parametrize("limit_mb", [1, 3])
def test_every_upload_path_uses_the_one_setting(limit_mb: int, tmp_path: Path) -> None:
    from web.app import create_app

    settings = load_settings({"env": "development", "data_dir": tmp_path, "security.secret_key": "k",
                              "search.embedder": "hashing"}, environ={"KB_MAX_UPLOAD_MB": str(limit_mb)})
    limit = limit_mb * MB
    assert settings.consultations.attachment_max_bytes == settings.events.material_max_bytes == limit
    kb = KnowledgeBase(settings)
    try:
        client = create_app(kb, TESTING=True, WTF_CSRF_ENABLED=False).test_client()
        body = {"username": "x", "password": "y" * (limit + 1)}
        assert client.post("/login", data=body).status_code == 413
        pdf = b"%PDF-1.7\n"
        assert check_upload(Upload("a.pdf", pdf + b"0" * (limit - len(pdf))), limit) == "application/pdf"
        with pytest.raises(ValidationError, match=f"larger than {limit_mb} MB"):
            check_upload(Upload("a.pdf", pdf + b"0" * (limit - len(pdf) + 1)), limit)
    finally:
        kb.close()
