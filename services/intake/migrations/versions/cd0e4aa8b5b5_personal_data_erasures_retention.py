"""personal data erasures (retention)

Revision ID: cd0e4aa8b5b5
Revises: b01534f52ac6
Create Date: 2026-11-25 22:15:33.563350

"""
from typing import Sequence, Union

from alembic import op

from core.migrations import create_erasures_table

# revision identifiers, used by Alembic.
revision: str = 'cd0e4aa8b5b5'
down_revision: Union[str, Sequence[str], None] = 'b01534f52ac6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_erasures_table()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("personal_data_erasures")
