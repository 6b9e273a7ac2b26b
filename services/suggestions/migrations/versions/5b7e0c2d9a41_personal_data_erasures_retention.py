"""personal data erasures (retention); a proposal's query-code hash may be erased

Revision ID: 5b7e0c2d9a41
Revises: 07e15955e2c6
Create Date: 2026-11-26 02:45:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from core.migrations import create_erasures_table

# revision identifiers, used by Alembic.
revision: str = '5b7e0c2d9a41'
down_revision: Union[str, Sequence[str], None] = '07e15955e2c6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_erasures_table()
    # NULL once erased: an empty string would collide in the unique index
    with op.batch_alter_table("proposals") as batch:
        batch.alter_column("query_code_hash", existing_type=sa.String(length=64), nullable=True)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("proposals") as batch:
        batch.alter_column("query_code_hash", existing_type=sa.String(length=64), nullable=False)
    op.drop_table("personal_data_erasures")
