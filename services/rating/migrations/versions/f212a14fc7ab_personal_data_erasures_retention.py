"""personal data erasures (retention)

Revision ID: f212a14fc7ab
Revises: 66577cc5784c
Create Date: 2026-11-25 22:15:35.222423

"""
from typing import Sequence, Union

from alembic import op

from core.migrations import create_erasures_table

# revision identifiers, used by Alembic.
revision: str = 'f212a14fc7ab'
down_revision: Union[str, Sequence[str], None] = '66577cc5784c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_erasures_table()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("personal_data_erasures")
