"""the unit's request for material (补充材料): its state, what, by when

Revision ID: 5b7e2c41d9a0
Revises: d3da8cb65d68
Create Date: 2026-11-25 22:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '5b7e2c41d9a0'
down_revision: Union[str, Sequence[str], None] = 'd3da8cb65d68'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('material_state', sa.String(length=20), nullable=False,
                                      server_default='none'))
        batch_op.add_column(sa.Column('material_request', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('material_due', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('material_due')
        batch_op.drop_column('material_request')
        batch_op.drop_column('material_state')
