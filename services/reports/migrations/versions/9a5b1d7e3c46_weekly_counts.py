"""weekly counters: the daily counters summed per week (Monday to Sunday),
filled from them

Revision ID: 9a5b1d7e3c46
Revises: 8e4a0c6d2f35
Create Date: 2026-11-26 03:15:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '9a5b1d7e3c46'
down_revision: Union[str, Sequence[str], None] = '8e4a0c6d2f35'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The Monday of a counter's week, in each store's SQL (%w: Sunday is 0).
MONDAY_OF_DAY = {"sqlite": "date(day, printf('-%d days', (CAST(strftime('%w', day) AS INTEGER) + 6) % 7))",
                 "postgresql": "CAST(date_trunc('week', day) AS DATE)"}
KEY = "unit_code, area_code, category, channel, measure"


def upgrade() -> None:
    op.create_table('weekly_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'unit_code', 'area_code', 'category', 'channel', 'measure')
    )
    with op.batch_alter_table('weekly_counts', schema=None) as batch_op:
        batch_op.create_index('ix_weekly_counts_measure_day', ['measure', 'day'], unique=False)
    # A store with figures already: its weeks, summed in SQL (no rows in Python).
    monday = MONDAY_OF_DAY[op.get_bind().dialect.name]
    op.execute(f"INSERT INTO weekly_counts (day, {KEY}, value) "
               f"SELECT {monday}, {KEY}, SUM(value) FROM daily_counts "
               f"GROUP BY {monday}, {KEY} HAVING SUM(value) <> 0")


def downgrade() -> None:
    with op.batch_alter_table('weekly_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_weekly_counts_measure_day')
    op.drop_table('weekly_counts')
