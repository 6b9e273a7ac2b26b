"""quarterly and yearly counters: the monthly counters summed per quarter and
per year, filled from them

Revision ID: 8e4a0c6d2f35
Revises: 7d3f9b5c2e14
Create Date: 2026-11-26 03:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '8e4a0c6d2f35'
down_revision: Union[str, Sequence[str], None] = '7d3f9b5c2e14'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The first day of a (monthly) counter's quarter and year, in each store's SQL.
STRETCH_OF_DAY = {
    "sqlite": {"quarterly_counts": "date(day, printf('-%d months', "
                                   "(CAST(strftime('%m', day) AS INTEGER) - 1) % 3))",
               "yearly_counts": "date(day, 'start of year')"},
    "postgresql": {"quarterly_counts": "CAST(date_trunc('quarter', day) AS DATE)",
                   "yearly_counts": "CAST(date_trunc('year', day) AS DATE)"},
}
KEY = "unit_code, area_code, category, channel, measure"


def upgrade() -> None:
    for table, first_day in STRETCH_OF_DAY[op.get_bind().dialect.name].items():
        op.create_table(table,
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('unit_code', sa.String(length=40), nullable=False),
        sa.Column('area_code', sa.String(length=9), nullable=False),
        sa.Column('category', sa.String(length=30), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('measure', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'unit_code', 'area_code', 'category', 'channel', 'measure')
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_measure_day', ['measure', 'day'], unique=False)
        # A store with figures already: its quarters and years, summed in SQL
        # from its months (no rows in Python).
        op.execute(f"INSERT INTO {table} (day, {KEY}, value) "
                   f"SELECT {first_day}, {KEY}, SUM(value) FROM monthly_counts "
                   f"GROUP BY {first_day}, {KEY} HAVING SUM(value) <> 0")


def downgrade() -> None:
    for table in ('yearly_counts', 'quarterly_counts'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_measure_day')
        op.drop_table(table)
