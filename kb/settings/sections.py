"""The shape of the configuration: one frozen dataclass per section of config/default.toml.

Each field is one key of its section. Field metadata tells the loader and
``kb config check`` what a valid value is: ``choices``, ``min``/``max``,
``kind`` (``url``, ``urls``, ``database_url``, ``email``, ``path``, ``file``,
``embedder``, ``replicas``) and ``secret`` (masked by ``kb config show``). Fields marked
``derived`` are not keys of the file: the loader computes them from other
settings (the index lives in ``data_dir``; every upload limit is
``web.max_upload_mb``), so one number is never written twice.

The dataclass defaults equal config/default.toml (a test holds them together):
they exist so that a test or a library caller can build one section by hand.
Sections owned by a package that must not import ``kb`` (the indexer) or that
belong to a domain package (consultations) are declared there and only
assembled here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from indexer.settings import SearchSettings
from kb.consultations.settings import ConsultationSettings
from kb.localtime import DEFAULT_TIMEZONE
from kb.uploads import DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_MB, MB

DEFAULT_SECRET = "dev-secret-change-me"
ENVIRONMENTS = ("development", "production")
DIGEST_FREQUENCIES = ("off", "weekly", "monthly")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class DatabaseSettings:
    # Never empty once loaded: an empty url in the file means SQLite in data_dir.
    url: str = field(default="", metadata={"kind": "database_url", "secret": "password"})


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: str = field(default=DEFAULT_SECRET, metadata={"secret": True})


@dataclass(frozen=True)
class WebSettings:
    base_url: str = field(default="http://127.0.0.1:5000", metadata={"kind": "url"})
    proxy_count: int = field(default=0, metadata={"min": 0, "max": 10})
    max_upload_mb: int = field(default=DEFAULT_MAX_UPLOAD_MB, metadata={"min": 1, "max": 1024})
    login_throttle_attempts: int = field(default=10, metadata={"min": 1})
    search_page_size: int = field(default=10, metadata={"min": 1, "max": 100})

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * MB


@dataclass(frozen=True)
class LocaleSettings:
    """Where the readers are: every time a person reads (pages, exports, e-mails, PDFs) is in this zone.

    Events keep their own zone (a venue abroad); everything else uses this one
    (``kb.localtime``).
    """

    timezone: str = field(default=DEFAULT_TIMEZONE, metadata={"kind": "timezone"})


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = field(default=5000, metadata={"min": 1, "max": 65535})
    workers: int = field(default=2, metadata={"min": 1, "max": 64})
    threads: int = field(default=1, metadata={"min": 1, "max": 64})
    gunicorn_config: Path | None = field(default=None, metadata={"kind": "file"})


@dataclass(frozen=True)
class MailSettings:
    smtp_host: str = ""
    smtp_port: int = field(default=25, metadata={"min": 1, "max": 65535})
    sender: str = field(default="noreply@luohu-kb.local", metadata={"kind": "email"})


@dataclass(frozen=True)
class EventSettings:
    reminder_lead_hours: int = field(default=24, metadata={"min": 1, "max": 24 * 14})
    material_max_bytes: int = field(default=DEFAULT_MAX_UPLOAD_BYTES, metadata={"derived": True})


@dataclass(frozen=True)
class FreshnessSettings:
    """When a talent's profile counts as ageing or stale, and how often talents hear about it.

    The age is that of the last change to the profile's directions, outputs and
    stage results. ``ageing_days < stale_days`` (checked at load).
    """

    ageing_days: int = field(default=180, metadata={"min": 1})
    stale_days: int = field(default=365, metadata={"min": 1})
    digest_frequency: str = field(default="monthly", metadata={"choices": DIGEST_FREQUENCIES})


@dataclass(frozen=True)
class LoggingSettings:
    level: str = field(default="INFO", metadata={"choices": LOG_LEVELS})
    config: Path | None = field(default=None, metadata={"kind": "file"})


@dataclass(frozen=True)
class OpsSettings:
    """Health checks and metrics for load balancers and monitoring (web/ops)."""

    ready_max_queue_lag_s: int = field(default=300, metadata={"min": 1})
    metrics_token: str = field(default="", metadata={"secret": True})


@dataclass(frozen=True)
class Settings:
    """The whole configuration, loaded once (``kb.settings.load_settings``) and passed down.

    Each module receives the section it needs (``settings.search`` to the
    indexer, ``settings.consultations`` to the consultation workflow, ...).
    """

    env: str = field(default="development", metadata={"choices": ENVIRONMENTS})
    data_dir: Path = field(default=Path("./instance"), metadata={"kind": "path"})
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    web: WebSettings = field(default_factory=WebSettings)
    locale: LocaleSettings = field(default_factory=LocaleSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    consultations: ConsultationSettings = field(default_factory=ConsultationSettings)
    events: EventSettings = field(default_factory=EventSettings)
    freshness: FreshnessSettings = field(default_factory=FreshnessSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)

    @property
    def production(self) -> bool:
        return self.env == "production"

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)


#: Section name → its dataclass, in the order of config/default.toml.
SECTIONS: dict[str, type] = {
    "database": DatabaseSettings,
    "search": SearchSettings,
    "security": SecuritySettings,
    "web": WebSettings,
    "locale": LocaleSettings,
    "server": ServerSettings,
    "mail": MailSettings,
    "consultations": ConsultationSettings,
    "events": EventSettings,
    "freshness": FreshnessSettings,
    "logging": LoggingSettings,
    "ops": OpsSettings,
}
