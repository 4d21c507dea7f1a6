"""consultation invitations keep the researcher's note, so the talent reads it on the invitation page

Revision ID: 0010
Revises: 0003, 0004 (merges the consultations and events branches: the column is on a 0003 table)
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = ('0003', '0004')
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a server default (no batch rebuild, so SQLite's foreign
    # keys never cascade into the invitations' advice and reminders).
    op.add_column('consultation_invitations',
                  sa.Column('message', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    # A plain DROP COLUMN too: a batch rebuild drops ``consultation_invitations`` and, with
    # SQLite's foreign keys on, that deletes every advice and reminder of the invitations.
    op.execute(sa.text('ALTER TABLE consultation_invitations DROP COLUMN message'))
