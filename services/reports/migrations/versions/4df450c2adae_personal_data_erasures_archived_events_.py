"""personal data erasures; archived events by case

Revision ID: 4df450c2adae
Revises: 5a1d2c3e4f60
Create Date: 2026-11-25 22:15:35.829580

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from core.migrations import create_erasures_table

# revision identifiers, used by Alembic.
revision: str = '4df450c2adae'
down_revision: Union[str, Sequence[str], None] = '5a1d2c3e4f60'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CASE_IN_PAYLOAD = {"sqlite": "json_extract(payload, '$.case_number')",
                   "postgresql": "payload->>'case_number'"}


def upgrade() -> None:
    """Upgrade schema."""
    create_erasures_table()
    with op.batch_alter_table('archived_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_number', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_archived_events_case_number'), ['case_number'],
                              unique=False)
    # Events archived before: their case from the payload, in SQL.
    case = CASE_IN_PAYLOAD[op.get_bind().dialect.name]
    op.execute(f"UPDATE archived_events SET case_number = {case}")



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('archived_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archived_events_case_number'))
        batch_op.drop_column('case_number')

    op.drop_table("personal_data_erasures")
