"""living profiles: commissioner assignments, last substantive change, digests, reminders, snapshots

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None

#: Revision fields whose change counts as substantive (kb.talents.freshness.SUBSTANTIVE_PREFIXES).
_SUBSTANTIVE = ('research_directions', 'outputs')


def upgrade() -> None:
    # Plain ADD COLUMNs: no batch rebuild of ``talents`` or ``revisions`` (on SQLite a
    # rebuild drops and recreates the table, cascading through its foreign keys).
    op.add_column('talents', sa.Column('last_changed_at', sa.DateTime(), nullable=True))
    op.add_column('talents', sa.Column('digest_frequency', sa.String(length=10), nullable=False,
                                       server_default=''))
    op.add_column('talents', sa.Column('reminded_at', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_talents_last_changed_at'), 'talents', ['last_changed_at'], unique=False)
    op.add_column('revisions', sa.Column('delegated', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))

    op.create_table(
        'commissioner_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('talent_id', sa.Integer(), nullable=False),
        sa.Column('commissioner_user_id', sa.Integer(), nullable=True),
        sa.Column('commissioner_label', sa.String(length=200), nullable=False),
        sa.Column('assigned_by_user_id', sa.Integer(), nullable=True),
        sa.Column('assigned_by_label', sa.String(length=200), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('ended_by_label', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['talent_id'], ['talents.id'],
                                name=op.f('fk_commissioner_assignments_talent_id_talents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['commissioner_user_id'], ['users.id'],
                                name=op.f('fk_commissioner_assignments_commissioner_user_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['assigned_by_user_id'], ['users.id'],
                                name=op.f('fk_commissioner_assignments_assigned_by_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_commissioner_assignments')),
    )
    op.create_index(op.f('ix_commissioner_assignments_talent_id'), 'commissioner_assignments', ['talent_id'])
    op.create_index(op.f('ix_commissioner_assignments_commissioner_user_id'), 'commissioner_assignments',
                    ['commissioner_user_id'])
    op.create_index('uq_commissioner_assignments_open', 'commissioner_assignments', ['talent_id'], unique=True,
                    sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table(
        'freshness_digests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('talent_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('tasks', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['talent_id'], ['talents.id'], name=op.f('fk_freshness_digests_talent_id_talents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_freshness_digests')),
        sa.UniqueConstraint('talent_id', 'period', name='uq_freshness_digests_talent_period'),
    )
    op.create_index(op.f('ix_freshness_digests_talent_id'), 'freshness_digests', ['talent_id'])

    op.create_table(
        'freshness_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_freshness_snapshots')),
        sa.UniqueConstraint('day', 'state', name='uq_freshness_snapshots_day_state'),
    )
    op.create_index(op.f('ix_freshness_snapshots_day'), 'freshness_snapshots', ['day'])

    _backfill_last_changed(op.get_bind())


def _substantive(changes: object) -> bool:
    if not isinstance(changes, list):
        return False
    return any(isinstance(c, dict) and str(c.get('field', '')).startswith(_SUBSTANTIVE) for c in changes)


def _backfill_last_changed(conn: sa.Connection) -> None:
    """Each talent's last substantive change, read from its applied revisions.

    The changes are JSON lists, which SQLite and PostgreSQL query differently,
    so they are read in Python, in id order, a page at a time. A talent whose
    revisions say nothing (created before revisions existed) counts from its
    creation.
    """
    revisions = sa.table('revisions', sa.column('id', sa.Integer()), sa.column('talent_id', sa.Integer()),
                         sa.column('at', sa.DateTime()), sa.column('changes', sa.JSON()),
                         sa.column('status', sa.String()))
    talents = sa.table('talents', sa.column('id', sa.Integer()), sa.column('created_at', sa.DateTime()),
                       sa.column('last_changed_at', sa.DateTime()))
    latest: dict[int, datetime] = {}
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(revisions.c.id, revisions.c.talent_id, revisions.c.at, revisions.c.changes)
            .where(revisions.c.id > last_id, revisions.c.talent_id.is_not(None),
                   revisions.c.status.in_(('applied', 'approved')))
            .order_by(revisions.c.id).limit(1000)
        ).all()
        if not rows:
            break
        for rev_id, talent_id, at, changes in rows:
            last_id = rev_id
            if at is not None and _substantive(changes) and (talent_id not in latest or at > latest[talent_id]):
                latest[talent_id] = at
    for talent_id, at in latest.items():
        conn.execute(talents.update().where(talents.c.id == talent_id).values(last_changed_at=at))
    conn.execute(talents.update().where(talents.c.last_changed_at.is_(None))
                 .values(last_changed_at=talents.c.created_at))


def downgrade() -> None:
    op.drop_table('freshness_snapshots')
    op.drop_table('freshness_digests')
    op.drop_table('commissioner_assignments')
    op.execute(sa.text('ALTER TABLE revisions DROP COLUMN delegated'))
    op.drop_index(op.f('ix_talents_last_changed_at'), table_name='talents')
    for column in ('reminded_at', 'digest_frequency', 'last_changed_at'):
        op.execute(sa.text(f'ALTER TABLE talents DROP COLUMN {column}'))
