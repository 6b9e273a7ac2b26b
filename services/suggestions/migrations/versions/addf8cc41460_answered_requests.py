"""answered requests: RPCs that act once per request id (core/once.py)

Revision ID: addf8cc41460
Revises: 5b7e0c2d9a41
Create Date: 2026-11-26 09:50:00.000000

"""
from typing import Sequence, Union

from core.migrations import create_answered_requests_table, drop_answered_requests_table

# revision identifiers, used by Alembic.
revision: str = 'addf8cc41460'
down_revision: Union[str, Sequence[str], None] = '5b7e0c2d9a41'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_answered_requests_table()


def downgrade() -> None:
    """Downgrade schema."""
    drop_answered_requests_table()
