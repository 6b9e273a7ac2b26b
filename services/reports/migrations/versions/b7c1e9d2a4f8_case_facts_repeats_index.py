"""case facts: a petitioner's petitions on one matter in time order are one
index (the repeats' neighbours are a seek), in place of the index on the
petitioner alone (its prefix)

Revision ID: b7c1e9d2a4f8
Revises: 0e59ac95b3d6
Create Date: 2026-11-26 10:15:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = 'b7c1e9d2a4f8'
down_revision: Union[str, Sequence[str], None] = '0e59ac95b3d6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

REPEATS = ['petitioner_key', 'category', 'area_code', 'submitted_at', 'case_number']


def upgrade() -> None:
    op.create_index('ix_case_facts_repeats', 'case_facts', REPEATS, unique=False)
    op.drop_index('ix_case_facts_petitioner_key', table_name='case_facts')


def downgrade() -> None:
    op.create_index('ix_case_facts_petitioner_key', 'case_facts', ['petitioner_key'], unique=False)
    op.drop_index('ix_case_facts_repeats', table_name='case_facts')
