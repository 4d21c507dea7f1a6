"""Tunable rules of the consultation workflow, read in one place.

``kb.config.Settings`` is frozen and shared by the whole product, so the
consultation knobs live in its ``extra`` mapping (``consultation_*`` keys) with
``KB_CONSULT_*`` environment variables as the fallback, and sensible defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from kb.config import Settings

MB = 1024 * 1024


@dataclass(frozen=True)
class ConsultationSettings:
    # Workload rotation: accepted invitations per talent per calendar year.
    workload_cap: int = 10
    # 回避 of the requester's own unit: off by default, since a unit often wants
    # its own affiliated experts; switch on where local rules demand it.
    exclude_requester_unit: bool = False
    # Employment within this many years before now counts as a conflict.
    conflict_years: int = 3
    # Working days (Mon-Fri) the researcher has to rate a piece of advice.
    rating_working_days: int = 10
    # Days before the deadline when the one reminder goes out.
    reminder_days: int = 3
    attachment_max_bytes: int = 10 * MB
    # How many search hits the recommendation looks at before filtering.
    overfetch: int = 50

    @classmethod
    def from_settings(cls, settings: Settings | None = None, env: dict[str, str] | None = None) -> ConsultationSettings:
        extra = dict(settings.extra) if settings is not None else {}
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = extra.get(f"consultation_{f.name}") or env.get(f"KB_CONSULT_{f.name.upper()}")
            if raw in (None, ""):
                continue
            if f.type in ("bool", bool):
                values[f.name] = str(raw).strip().lower() in ("1", "true", "yes", "on")
            else:
                values[f.name] = int(raw)
        return cls(**values)
