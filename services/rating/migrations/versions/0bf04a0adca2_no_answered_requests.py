"""no answered requests: rating has no RPC that acts once per request id (core/once.py)

Revision ID: 0bf04a0adca2
Revises: 687b590c027f
Create Date: 2026-11-26 13:10:00.000000

The table came to every store with the revision that introduced it; only
routing, notify and tracking have ``@once`` methods, so here it was empty
and never read. Dropped; downgrade brings it back empty.
"""
from typing import Sequence, Union

from core.migrations import create_answered_requests_table, drop_answered_requests_table

# revision identifiers, used by Alembic.
revision: str = '0bf04a0adca2'
down_revision: Union[str, Sequence[str], None] = '687b590c027f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    drop_answered_requests_table()


def downgrade() -> None:
    """Downgrade schema."""
    create_answered_requests_table()
