"""one head again: joins the harvest (0006), ledger (0007), freshness (0008) and invitation-note (0010) branches

Revision ID: 0011
Revises: 0006, 0007, 0008, 0010
Create Date: 2026-12-03

No schema change. Four features were written in parallel on top of 0005 and 0003/0004;
``alembic upgrade heads`` applied them all, but ``kb db status`` printed four revisions and
the next migration would have had to name them all. From here a new migration revises 0011.
"""

from __future__ import annotations

revision = '0011'
down_revision = ('0006', '0007', '0008', '0010')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
