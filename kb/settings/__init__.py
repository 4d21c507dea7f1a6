"""The product's configuration: one typed, frozen ``Settings`` object, loaded once.

``load_settings()`` reads config/default.toml, then the file named by
``KB_CONFIG``, then the ``KB_*`` variables mapped in default.toml's
``[environment]`` table, then explicit overrides (tests pass a dict). The CLI,
the web app and the worker each load it once, through ``KnowledgeBase``, and
hand each module its section. Nothing outside ``kb.settings.loader`` reads the
process environment (tests/settings/test_environment_reads.py greps for it).

- ``sections``: the dataclasses (the shape and validity rules of every key).
- ``files``: where config/ is found, in a checkout and when installed.
- ``loader``: reading, converting, validating; where each value came from.
- ``checks``: deployment checks beyond the types (``kb config check``).
- ``report``: the effective values with their origins, secrets masked (``kb config show``).
- ``reference``: the README's configuration table, generated from default.toml.
- ``logs``: applies config/logging.toml.
"""

from kb.settings.loader import Loaded, SettingsError, load, load_settings
from kb.settings.sections import (
    DEFAULT_SECRET,
    DatabaseSettings,
    EventSettings,
    FreshnessSettings,
    LocaleSettings,
    LoggingSettings,
    MailSettings,
    OpsSettings,
    SecuritySettings,
    ServerSettings,
    Settings,
    WebSettings,
)

__all__ = [
    "DEFAULT_SECRET",
    "DatabaseSettings",
    "EventSettings",
    "FreshnessSettings",
    "Loaded",
    "LocaleSettings",
    "LoggingSettings",
    "MailSettings",
    "OpsSettings",
    "SecuritySettings",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "WebSettings",
    "load",
    "load_settings",
]
