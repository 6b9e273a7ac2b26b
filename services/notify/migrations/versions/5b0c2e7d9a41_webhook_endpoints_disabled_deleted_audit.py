"""webhook endpoints: disabled and deleted (pending deliveries cancelled), their audit

Revision ID: 5b0c2e7d9a41
Revises: 2561d5da5928
Create Date: 2026-11-25 22:35:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import core.store

# revision identifiers, used by Alembic.
revision: str = '5b0c2e7d9a41'
down_revision: Union[str, Sequence[str], None] = '2561d5da5928'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('webhook_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhook_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_changes_endpoint_id'), ['endpoint_id'], unique=False)

    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', core.store.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sa.String(length=50), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_column('deleted_by')
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('webhook_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_changes_endpoint_id'))

    op.drop_table('webhook_changes')
