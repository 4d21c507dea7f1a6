"""consultation draws record the fair-draw option and each pool member's past load

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

``fair`` says whether the draw favoured experts with fewer past consultations;
``fairness`` keeps its parameters and, per pool member, the past count, weight and
chance, so ``replay`` repeats a fair draw and the page shows its effect. Draws made
before this revision were plain draws: ``fair`` false, ``fairness`` empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch rebuild): nothing refers to consultation_draws, but a
    # rebuild is still needless work on a table that only grows.
    op.add_column('consultation_draws',
                  sa.Column('fair', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('consultation_draws', sa.Column('fairness', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute(sa.text('ALTER TABLE consultation_draws DROP COLUMN fairness'))
    op.execute(sa.text('ALTER TABLE consultation_draws DROP COLUMN fair'))
