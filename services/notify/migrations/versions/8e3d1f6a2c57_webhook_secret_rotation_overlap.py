"""webhook secret rotation: the old secret and the end of its overlap

Revision ID: 8e3d1f6a2c57
Revises: 5b0c2e7d9a41
Create Date: 2026-11-25 22:55:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import core.store

# revision identifiers, used by Alembic.
revision: str = '8e3d1f6a2c57'
down_revision: Union[str, Sequence[str], None] = '5b0c2e7d9a41'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_secret_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('previous_secret_until', core.store.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_column('previous_secret_until')
        batch_op.drop_column('previous_secret_encrypted')
