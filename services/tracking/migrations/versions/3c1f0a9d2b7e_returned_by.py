"""who returned a case

Revision ID: 3c1f0a9d2b7e
Revises: 8e3b1ac0e437
Create Date: 2026-11-25 15:50:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '3c1f0a9d2b7e'
down_revision: Union[str, Sequence[str], None] = '8e3b1ac0e437'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('returned_by')
