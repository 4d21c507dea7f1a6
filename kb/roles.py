"""The roles an account can have, defined once.

Stored in ``users.role`` and shown in URLs, forms and the API as these exact
strings; a ``StrEnum`` member equals its string, so stored data and old
callers passing plain strings keep working.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TALENT = "talent"
    RESEARCHER = "researcher"
    ORGANIZER = "organizer"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)
# Talent-service staff: they act on any talent's profile and run the platform's data.
STAFF = frozenset({Role.COMMISSIONER, Role.ADMIN})
