"""Settings read from the environment, with defaults that make the embedded
(SQLite + in-process search) configuration work with no set-up at all."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SECRET = "dev-secret-change-me"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    production: bool
    mail_host: str = ""
    mail_port: int = 25
    mail_sender: str = "noreply@luohu-kb.local"
    base_url: str = "http://127.0.0.1:5000"
    # Reverse proxies in front of the app; their X-Forwarded-For is trusted.
    proxy_count: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("KB_DATA_DIR", "instance")).resolve()
        database_url = env.get("KB_DATABASE_URL") or f"sqlite:///{data_dir / 'kb.sqlite3'}"
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=env.get("KB_SECRET_KEY", DEFAULT_SECRET),
            production=env.get("KB_ENV", "development").lower() == "production",
            mail_host=env.get("KB_SMTP_HOST", ""),
            mail_port=int(env.get("KB_SMTP_PORT", "25")),
            mail_sender=env.get("KB_MAIL_SENDER", "noreply@luohu-kb.local"),
            base_url=env.get("KB_BASE_URL", "http://127.0.0.1:5000"),
            proxy_count=int(env.get("KB_PROXY_COUNT", "0") or 0),
        )

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
