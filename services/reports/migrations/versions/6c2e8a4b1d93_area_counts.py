"""area counters: the daily and monthly counters rolled up the area tree,
filled from them

Revision ID: 6c2e8a4b1d93
Revises: 4df450c2adae
Create Date: 2026-11-25 22:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '6c2e8a4b1d93'
down_revision: Union[str, Sequence[str], None] = '4df450c2adae'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# (area counters, the counters they roll up)
TABLES = (("daily_area_counts", "daily_counts"), ("monthly_area_counts", "monthly_counts"))
# (parent, area code) of each level, as projections.up_the_areas keys them
LEVELS = (("''", "substr(area_code, 1, 4)"),
          ("substr(area_code, 1, 4)", "substr(area_code, 1, 6)"),
          ("substr(area_code, 1, 6)", "area_code"))


def upgrade() -> None:
    for table, counters in TABLES:
        op.create_table(table,
        sa.Column('parent', sa.String(length=9), nullable=False),
        sa.Column('area_code', sa.String(length=9), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('measure', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('parent', 'area_code', 'day', 'measure')
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_parent_day', ['parent', 'day'], unique=False)
        # A store with figures already: its areas, summed in SQL (no rows in Python).
        for parent, code in LEVELS:
            op.execute(f"INSERT INTO {table} (parent, area_code, day, measure, value) "
                       f"SELECT parent, code, day, measure, SUM(value) FROM ("
                       f"SELECT {parent} AS parent, {code} AS code, day, measure, value "
                       f"FROM {counters}) AS levels "
                       f"GROUP BY parent, code, day, measure HAVING SUM(value) <> 0")


def downgrade() -> None:
    for table, _ in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_parent_day')
        op.drop_table(table)
