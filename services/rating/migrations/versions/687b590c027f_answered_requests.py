"""answered requests: RPCs that act once per request id (core/once.py)

Revision ID: 687b590c027f
Revises: f212a14fc7ab
Create Date: 2026-11-26 09:50:00.000000

"""
from typing import Sequence, Union

from core.migrations import create_answered_requests_table, drop_answered_requests_table

# revision identifiers, used by Alembic.
revision: str = '687b590c027f'
down_revision: Union[str, Sequence[str], None] = 'f212a14fc7ab'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_answered_requests_table()


def downgrade() -> None:
    """Downgrade schema."""
    drop_answered_requests_table()
