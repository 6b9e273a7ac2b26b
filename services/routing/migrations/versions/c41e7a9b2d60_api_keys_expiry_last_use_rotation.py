"""api keys: expiry, last use, the key a rotation replaced

Revision ID: c41e7a9b2d60
Revises: 3152ae168671
Create Date: 2026-11-25 23:15:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import core.store

# revision identifiers, used by Alembic.
revision: str = 'c41e7a9b2d60'
down_revision: Union[str, Sequence[str], None] = '3152ae168671'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', core.store.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', core.store.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rotated_from', sa.String(length=12), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('rotated_from')
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
