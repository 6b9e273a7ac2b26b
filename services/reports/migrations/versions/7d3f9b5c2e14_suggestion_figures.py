"""people's suggestions' figures: proposal facts, daily counters per topic,
department and area, topic titles

Revision ID: 7d3f9b5c2e14
Revises: 6c2e8a4b1d93
Create Date: 2026-11-26 02:50:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '7d3f9b5c2e14'
down_revision: Union[str, Sequence[str], None] = '6c2e8a4b1d93'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Empty at first: reports had no queue for suggestion_step before, so its
    # archive holds none; the figures count the steps from here on.
    op.create_table('proposal_facts',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=40), nullable=True),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('number')
    )
    op.create_table('suggestion_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'topic_id', 'department', 'area_code', 'measure')
    )
    with op.batch_alter_table('suggestion_counts', schema=None) as batch_op:
        batch_op.create_index('ix_suggestion_counts_day', ['day'], unique=False)
    op.create_table('suggestion_topics',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('suggestion_topics')
    with op.batch_alter_table('suggestion_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_suggestion_counts_day')
    op.drop_table('suggestion_counts')
    op.drop_table('proposal_facts')
