"""category descriptions: what each category covers, in plain words

Revision ID: c5d2e8f1a7b3
Revises: c41e7a9b2d60
Create Date: 2026-11-25 22:20:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c5d2e8f1a7b3'
down_revision: Union[str, Sequence[str], None] = 'c41e7a9b2d60'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema (the seed fills the texts: python -m services.routing.seed)."""
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_zh', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('description_en', sa.String(length=300), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('description_en')
        batch_op.drop_column('description_zh')
