"""personal data erasures (retention)

Revision ID: 938c020f8058
Revises: 5b7e2c41d9a0
Create Date: 2026-11-25 22:15:34.542157

"""
from typing import Sequence, Union

from alembic import op

from core.migrations import create_erasures_table

# revision identifiers, used by Alembic.
revision: str = '938c020f8058'
down_revision: Union[str, Sequence[str], None] = '5b7e2c41d9a0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_erasures_table()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("personal_data_erasures")
