"""submission hash for idempotent submissions

Revision ID: bd91a1fff5df
Revises: e100385f731e
Create Date: 2026-11-25 12:11:01.189469

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'bd91a1fff5df'
down_revision: Union[str, Sequence[str], None] = 'e100385f731e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_hash', sa.String(length=64), nullable=False))
        batch_op.create_unique_constraint('uq_petitions_submission_hash', ['submission_hash'])



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_petitions_submission_hash', type_='unique')
        batch_op.drop_column('submission_hash')

