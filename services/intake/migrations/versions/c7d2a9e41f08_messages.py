"""messages (留言) on a case, the text encrypted

Revision ID: c7d2a9e41f08
Revises: cd0e4aa8b5b5
Create Date: 2026-11-25 22:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import core.store

revision: str = 'c7d2a9e41f08'
down_revision: Union[str, Sequence[str], None] = 'cd0e4aa8b5b5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('text_encrypted', sa.Text(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=True),
    sa.Column('written_at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_petition_id'), ['petition_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_petition_id'))
    op.drop_table('messages')
