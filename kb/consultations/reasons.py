"""Why an expert is left out: a code the UI translates, plus the facts behind it.

Codes are stable identifiers (tests, CSV and templates key on them); ``text``
is a plain English sentence for logs, exports and the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEXTS = {
    "party_employer": "currently employed by {organization}, a party to the matter",
    "party_former_employer": "employed by {organization}, a party to the matter, until {to_year}",
    "declared_conflict": "declared a conflict of interest: {reason}",
    "requester_unit": "works for the requesting unit {organization}",
    "unavailable": "not available for consultation",
    "workload": "{count} consultations accepted in {year} (cap {cap})",
    "diversity": "already {cap} expert(s) from {organization}",
    "removed": "removed by hand by {actor}: {reason}",
    "no_account": "has no account to receive the invitation",
}


@dataclass(frozen=True)
class Reason:
    code: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        try:
            return TEXTS.get(self.code, self.code).format(**self.detail)
        except (KeyError, IndexError):
            return self.code

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": dict(self.detail), "text": self.text}
