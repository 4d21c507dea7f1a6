"""docs/permissions.md stays in step with kb.permissions.ROLE_MATRIX."""

from __future__ import annotations

from pathlib import Path

from kb.permissions import OBJECT_RULES, ROLE_MATRIX

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLES = ("talent", "researcher", "organizer", "commissioner", "admin")


def _table() -> dict[str, tuple[frozenset[str], bool]]:
    rows: dict[str, tuple[frozenset[str], bool]] = {}
    for line in DOC.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0].startswith("`"):
            marks = cells[1:6]
            rows[cells[0].strip("`")] = (frozenset(r for r, m in zip(ROLES, marks, strict=True) if m == "✓"),
                                         bool(cells[6]))
    return rows


def test_permission_matrix_doc_matches_the_code() -> None:
    table = _table()
    assert set(table) == set(ROLE_MATRIX), "actions differ between docs/permissions.md and ROLE_MATRIX"
    for action, roles in ROLE_MATRIX.items():
        documented, has_rule = table[action]
        assert documented == roles, action
        assert has_rule == (action in OBJECT_RULES), f"{action}: object rule column"
