"""credentials: API token ids, expiry and revocation; session generations; no hard lockout

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))
    # The account lock is gone (it let anyone lock out an administrator). A plain
    # ALTER TABLE, not a batch rebuild: on SQLite a rebuild drops and recreates
    # ``users``, and with foreign keys on that cascades into every child table.
    op.execute(sa.text('ALTER TABLE users DROP COLUMN locked_until'))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=40), nullable=False, server_default=''))
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer()), sa.column('public_id', sa.String()))
    conn = op.get_bind()
    for (token_id,) in conn.execute(sa.select(tokens.c.id)).all():
        conn.execute(tokens.update().where(tokens.c.id == token_id).values(public_id=secrets.token_hex(8)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_public_id'), ['public_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_public_id'))
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('public_id')
    op.add_column('users', sa.Column('locked_until', sa.DateTime(), nullable=True))
    op.execute(sa.text('ALTER TABLE users DROP COLUMN session_generation'))
