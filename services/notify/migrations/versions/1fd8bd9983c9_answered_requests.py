"""answered requests: RPCs that act once per request id (core/once.py)

Revision ID: 1fd8bd9983c9
Revises: 18507ad065a2
Create Date: 2026-11-26 09:50:00.000000

"""
from typing import Sequence, Union

from core.migrations import create_answered_requests_table, drop_answered_requests_table

# revision identifiers, used by Alembic.
revision: str = '1fd8bd9983c9'
down_revision: Union[str, Sequence[str], None] = '18507ad065a2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_answered_requests_table()


def downgrade() -> None:
    """Downgrade schema."""
    drop_answered_requests_table()
