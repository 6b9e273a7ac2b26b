"""personal data erasures (retention)

Revision ID: 18507ad065a2
Revises: 8e3d1f6a2c57
Create Date: 2026-11-25 22:15:34.961083

"""
from typing import Sequence, Union

from alembic import op

from core.migrations import create_erasures_table

# revision identifiers, used by Alembic.
revision: str = '18507ad065a2'
down_revision: Union[str, Sequence[str], None] = '8e3d1f6a2c57'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_erasures_table()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("personal_data_erasures")
