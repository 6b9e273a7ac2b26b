"""monthly counters: the daily counters summed per month, filled from them

Revision ID: 5b1f0c2d9e7a
Revises: 0cbc6890711e
Create Date: 2026-11-25 19:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '5b1f0c2d9e7a'
down_revision: Union[str, Sequence[str], None] = '0cbc6890711e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The first day of a counter's month, in each store's SQL.
MONTH_OF_DAY = {"sqlite": "date(day, 'start of month')",
                "postgresql": "CAST(date_trunc('month', day) AS DATE)"}
KEY = "unit_code, area_code, category, channel, measure"


def upgrade() -> None:
    op.create_table('monthly_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'unit_code', 'area_code', 'category', 'channel', 'measure')
    )
    with op.batch_alter_table('monthly_counts', schema=None) as batch_op:
        batch_op.create_index('ix_monthly_counts_area_day', ['area_code', 'day'], unique=False)
        batch_op.create_index('ix_monthly_counts_measure_day', ['measure', 'day'], unique=False)
        batch_op.create_index('ix_monthly_counts_unit_day', ['unit_code', 'day'], unique=False)
    # A store with figures already: its months, summed in SQL (no rows in Python).
    month = MONTH_OF_DAY[op.get_bind().dialect.name]
    op.execute(f"INSERT INTO monthly_counts (day, {KEY}, value) "
               f"SELECT {month}, {KEY}, SUM(value) FROM daily_counts "
               f"GROUP BY {month}, {KEY} HAVING SUM(value) <> 0")


def downgrade() -> None:
    with op.batch_alter_table('monthly_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_counts_unit_day')
        batch_op.drop_index('ix_monthly_counts_measure_day')
        batch_op.drop_index('ix_monthly_counts_area_day')
    op.drop_table('monthly_counts')
