"""Tunable rules of the consultation workflow: the ``[consultations]`` section.

The values come from the product's configuration (config/default.toml, a
``KB_CONFIG`` file, ``KB_CONSULT_*`` variables), loaded once by ``kb.settings``;
callers pass ``kb.settings.consultations`` down. The defaults here equal
config/default.toml so tests can build the section by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kb.uploads import DEFAULT_MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class ConsultationSettings:
    # Workload rotation: accepted invitations per talent per calendar year.
    workload_cap: int = field(default=10, metadata={"min": 0})
    # 回避 of the requester's own unit: off by default, since a unit often wants
    # its own affiliated experts; switch on where local rules demand it.
    exclude_requester_unit: bool = False
    # Employment within this many years before now counts as a conflict.
    conflict_years: int = field(default=3, metadata={"min": 0, "max": 50})
    # Working days (Mon-Fri) the researcher has to rate a piece of advice.
    rating_working_days: int = field(default=10, metadata={"min": 1, "max": 250})
    # Days before the deadline when the one reminder goes out.
    reminder_days: int = field(default=3, metadata={"min": 0, "max": 365})
    # How many search hits the recommendation looks at before filtering.
    overfetch: int = field(default=50, metadata={"min": 1, "max": 1000})
    # The fair draw (an option of each draw, off by default): an expert's weight is
    # 1 / (1 + n) ** strength, n being his accepted consultations in the last window_days.
    fair_draw_strength: int = field(default=1, metadata={"min": 1, "max": 5})
    fair_draw_window_days: int = field(default=365, metadata={"min": 1, "max": 3650})
    # A CJK font file for PDF dossiers; None: search the system font folders.
    cjk_font: Path | None = field(default=None, metadata={"kind": "file"})
    # The product's one upload limit (web.max_upload_mb), set by the loader.
    attachment_max_bytes: int = field(default=DEFAULT_MAX_UPLOAD_BYTES, metadata={"derived": True})
