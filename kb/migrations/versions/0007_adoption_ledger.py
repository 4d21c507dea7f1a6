"""adoption ledger: one row per step of an advice (批示, document, implementation, evaluation)
replaces the single adoption field; existing adoption values become ledger rows

Revision ID: 0007
Revises: 0005 (depends on 0003, whose consultation_advice table it converts)
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = '0003'

#: Who the converted rows name as their actor: the old field kept no author.
MIGRATED = '（迁移自原采纳记录）'

advice = sa.table(
    'consultation_advice', sa.column('id', sa.Integer()), sa.column('invitation_id', sa.Integer()),
    sa.column('submitted_at', sa.DateTime()), sa.column('adoption', sa.String()),
    sa.column('adopted_into', sa.String()), sa.column('adoption_recorded_at', sa.DateTime()))
invitations = sa.table('consultation_invitations', sa.column('id', sa.Integer()),
                       sa.column('talent_id', sa.Integer()))
talents = sa.table('talents', sa.column('id', sa.Integer()), sa.column('name', sa.String()))
ledger = sa.table(
    'advice_ledger', sa.column('advice_id', sa.Integer()), sa.column('step', sa.String()),
    sa.column('at', sa.DateTime()), sa.column('recorded_at', sa.DateTime()), sa.column('actor_label', sa.String()),
    sa.column('evidence', sa.Text()), sa.column('leader', sa.String()), sa.column('extent', sa.String()),
    sa.column('doc_title', sa.String()), sa.column('doc_number', sa.String()), sa.column('doc_url', sa.String()),
    sa.column('file_name', sa.String()), sa.column('content_type', sa.String()), sa.column('sha256', sa.String()))


def upgrade() -> None:
    op.create_table(
        'advice_ledger',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('advice_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('actor_user_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=200), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('leader', sa.String(length=200), nullable=False),
        sa.Column('leader_level', sa.String(length=20), nullable=True),
        sa.Column('extent', sa.String(length=10), nullable=True),
        sa.Column('doc_title', sa.String(length=300), nullable=False),
        sa.Column('doc_number', sa.String(length=100), nullable=False),
        sa.Column('doc_date', sa.Date(), nullable=True),
        sa.Column('doc_url', sa.String(length=1000), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=True),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('file_size', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'],
                                name=op.f('fk_advice_ledger_actor_user_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['advice_id'], ['consultation_advice.id'],
                                name=op.f('fk_advice_ledger_advice_id_consultation_advice'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_advice_ledger')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_advice_ledger_stored_name')),
    )
    op.create_index(op.f('ix_advice_ledger_advice_id'), 'advice_ledger', ['advice_id'], unique=False)
    op.create_index(op.f('ix_advice_ledger_step'), 'advice_ledger', ['step'], unique=False)

    conn = op.get_bind()
    rows = conn.execute(
        sa.select(advice.c.id, advice.c.submitted_at, advice.c.adoption, advice.c.adopted_into,
                  advice.c.adoption_recorded_at, talents.c.name)
        .select_from(advice.join(invitations, invitations.c.id == advice.c.invitation_id)
                     .join(talents, talents.c.id == invitations.c.talent_id))
        .order_by(advice.c.id)
    ).all()
    blank = {'evidence': '', 'leader': '', 'extent': None, 'doc_title': '', 'doc_number': '', 'doc_url': '',
             'file_name': '', 'content_type': '', 'sha256': ''}
    for advice_id, submitted_at, adoption, adopted_into, recorded_at, talent_name in rows:
        conn.execute(ledger.insert().values(advice_id=advice_id, step='submitted', at=submitted_at,
                                            recorded_at=submitted_at, actor_label=talent_name or '', **blank))
        if adoption in ('full', 'partial'):
            conn.execute(ledger.insert().values(
                {**blank, 'advice_id': advice_id, 'step': 'adopted', 'at': recorded_at or submitted_at,
                 'recorded_at': recorded_at or submitted_at, 'actor_label': MIGRATED, 'extent': adoption,
                 'doc_title': (adopted_into or '')[:300]}))
        elif adoption == 'none':
            conn.execute(ledger.insert().values(
                {**blank, 'advice_id': advice_id, 'step': 'not_adopted', 'at': recorded_at or submitted_at,
                 'recorded_at': recorded_at or submitted_at, 'actor_label': MIGRATED,
                 'evidence': adopted_into or ''}))
    # Plain DROP COLUMN (SQLite 3.35+), not a batch rebuild: a rebuild of consultation_advice
    # would cascade deletes into the attachments and the new ledger through the foreign keys.
    for column in ('adoption', 'adopted_into', 'adoption_recorded_at'):
        op.execute(sa.text(f'ALTER TABLE consultation_advice DROP COLUMN {column}'))


def downgrade() -> None:
    op.add_column('consultation_advice', sa.Column('adoption', sa.String(length=10), nullable=True))
    op.add_column('consultation_advice',
                  sa.Column('adopted_into', sa.String(length=500), nullable=False, server_default=''))
    op.add_column('consultation_advice', sa.Column('adoption_recorded_at', sa.DateTime(), nullable=True))
    conn = op.get_bind()
    # The latest adoption decision of each advice goes back into the single field.
    decisions = conn.execute(
        sa.select(ledger.c.advice_id, ledger.c.step, ledger.c.extent, ledger.c.doc_title, ledger.c.doc_number,
                  ledger.c.at)
        .where(ledger.c.step.in_(('adopted', 'not_adopted')))
        .order_by(ledger.c.advice_id, ledger.c.at)
    ).all()
    latest = {row.advice_id: row for row in decisions}
    for advice_id, row in latest.items():
        level = (row.extent or 'full') if row.step == 'adopted' else 'none'
        into = ' '.join(p for p in (row.doc_title, row.doc_number) if p) if row.step == 'adopted' else ''
        conn.execute(advice.update().where(advice.c.id == advice_id)
                     .values(adoption=level, adopted_into=into[:500], adoption_recorded_at=row.at))
    op.drop_index(op.f('ix_advice_ledger_step'), table_name='advice_ledger')
    op.drop_index(op.f('ix_advice_ledger_advice_id'), table_name='advice_ledger')
    op.drop_table('advice_ledger')
