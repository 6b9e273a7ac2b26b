"""signed webhooks: endpoints, deliveries in the outbox

Revision ID: 2561d5da5928
Revises: 1d756fb124ea
Create Date: 2026-11-25 19:12:33.030698

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import core.store

# revision identifiers, used by Alembic.
revision: str = '2561d5da5928'
down_revision: Union[str, Sequence[str], None] = '1d756fb124ea'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret_encrypted', sa.Text(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('personal_data', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.Column('paused_at', core.store.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_endpoints_unit_code'), ['unit_code'], unique=False)

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('endpoint_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_messages_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_foreign_key('fk_messages_endpoint_id', 'webhook_endpoints', ['endpoint_id'], ['id'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('fk_messages_endpoint_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_messages_endpoint_id'))
        batch_op.drop_column('endpoint_id')

    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoints_unit_code'))

    op.drop_table('webhook_endpoints')
