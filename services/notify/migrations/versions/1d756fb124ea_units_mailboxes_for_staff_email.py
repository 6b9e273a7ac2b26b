"""units' mailboxes for staff email

Revision ID: 1d756fb124ea
Revises: bbf65eb3ca34
Create Date: 2026-11-25 18:59:08.852896

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import core.store

# revision identifiers, used by Alembic.
revision: str = '1d756fb124ea'
down_revision: Union[str, Sequence[str], None] = 'bbf65eb3ca34'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('unit_contacts',
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('updated_by', sa.String(length=50), nullable=False),
    sa.Column('updated_at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('unit_code')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('unit_contacts')
