"""harvested outputs: DOI, number, authors and keywords on outputs; harvested items waiting to be claimed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs with server defaults: no batch rebuild of ``outputs`` (on SQLite a
    # rebuild would cascade through its foreign keys).
    op.add_column('outputs', sa.Column('doi', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('outputs', sa.Column('number', sa.String(length=100), nullable=False, server_default=''))
    op.add_column('outputs', sa.Column('authors', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('outputs', sa.Column('keywords', sa.JSON(), nullable=False, server_default='[]'))
    op.create_table(
        'harvested_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('talent_id', sa.Integer(), nullable=False),
        sa.Column('batch', sa.String(length=32), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('source_format', sa.String(length=20), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('duplicate', sa.JSON(), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('output_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_by_user_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_by_label', sa.String(length=200), nullable=False),
        sa.Column('delegated', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_label', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['talent_id'], ['talents.id'], name=op.f('fk_harvested_items_talent_id_talents'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['output_id'], ['outputs.id'], name=op.f('fk_harvested_items_output_id_outputs'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['users.id'],
                                name=op.f('fk_harvested_items_uploaded_by_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_harvested_items')),
    )
    with op.batch_alter_table('harvested_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvested_items_talent_id'), ['talent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_harvested_items_batch'), ['batch'], unique=False)
        batch_op.create_index(batch_op.f('ix_harvested_items_state'), ['state'], unique=False)


def downgrade() -> None:
    op.drop_table('harvested_items')
    for column in ('keywords', 'authors', 'number', 'doi'):
        op.execute(sa.text(f'ALTER TABLE outputs DROP COLUMN {column}'))
