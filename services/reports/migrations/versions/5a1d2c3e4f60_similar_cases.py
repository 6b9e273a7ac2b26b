"""case texts and the similar-case search index

Revision ID: 5a1d2c3e4f60
Revises: 5b1f0c2d9e7a
Create Date: 2026-11-25 19:10:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.reports.models import SEARCH_INDEX, SEARCH_INDEX_DDL

revision: str = '5a1d2c3e4f60'
down_revision: Union[str, Sequence[str], None] = '5b1f0c2d9e7a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('case_texts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_number')
    )
    op.create_table('search_words',
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word')
    )
    op.execute(SEARCH_INDEX_DDL[op.get_bind().dialect.name])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_table(SEARCH_INDEX)
    op.drop_table('search_words')
    op.drop_table('case_texts')
