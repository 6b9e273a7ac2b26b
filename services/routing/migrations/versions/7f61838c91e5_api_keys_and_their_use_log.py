"""API keys and their use log

Revision ID: 7f61838c91e5
Revises: 494a30b04862
Create Date: 2026-11-25 19:25:14.568034

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import core.store

# revision identifiers, used by Alembic.
revision: str = '7f61838c91e5'
down_revision: Union[str, Sequence[str], None] = '494a30b04862'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('api_key_uses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key_id', sa.String(length=12), nullable=True),
    sa.Column('at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.Column('operation', sa.String(length=80), nullable=False),
    sa.Column('client', sa.String(length=45), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('api_key_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_uses_key_id'), ['key_id'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.String(length=12), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('unit_code', sa.String(length=30), nullable=True),
    sa.Column('app', sa.String(length=100), nullable=True),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', core.store.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('api_keys')
    with op.batch_alter_table('api_key_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_uses_key_id'))

    op.drop_table('api_key_uses')
