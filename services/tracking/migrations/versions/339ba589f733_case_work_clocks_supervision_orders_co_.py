"""case work: clocks, supervision orders, co-handling, reviews, spot checks

Revision ID: 339ba589f733
Revises: 3c1f0a9d2b7e
Create Date: 2026-11-25 15:51:34.069623

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import core.store

# revision identifiers, used by Alembic.
revision: str = '339ba589f733'
down_revision: Union[str, Sequence[str], None] = '3c1f0a9d2b7e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """The case work: clocks and alerts, supervision orders, co-handling parts,
    spot checks; the cases' new columns (existing rows get the defaults)."""
    op.create_table('spot_checks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit_code', sa.String(length=50), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('population', sa.JSON(), nullable=False),
    sa.Column('drawn', sa.JSON(), nullable=False),
    sa.Column('drawn_by', sa.String(length=100), nullable=False),
    sa.Column('drawn_at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=50), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('alert', sa.String(length=20), nullable=False),
    sa.Column('raised_at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.Column('raised_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_number', 'kind', 'subject', 'due', 'alert', name='uq_alerts_once')
    )
    op.create_table('co_parts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('unit_code', sa.String(length=50), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', core.store.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_number', 'unit_code', name='uq_co_parts_unit')
    )
    with op.batch_alter_table('co_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_co_parts_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_co_parts_unit_code'), ['unit_code'], unique=False)

    op.create_table('deadlines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=50), nullable=False),
    sa.Column('unit_code', sa.String(length=50), nullable=True),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadlines_case_number'), ['case_number'], unique=False)
        batch_op.create_index('ix_deadlines_open_due', ['open', 'due'], unique=False)

    op.create_table('supervision_orders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('unit_code', sa.String(length=50), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('counted_against_unit', sa.Boolean(), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=True),
    sa.Column('opened_at', core.store.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', core.store.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_status', ['status', 'answer_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_orders_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_orders_unit_code'), ['unit_code'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_at', core.store.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('accept_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('accepted_at', core.store.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decline_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('instructions', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('report_back_required', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('report_back', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('plan', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('coordinating_units', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('extension_state', sa.String(length=20), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('extension_requested_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('extension_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('extended_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_state', sa.String(length=20), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('reviewing_unit_code', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('reviewing_unit_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('review_requested_at', core.store.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('review_answered_at', core.store.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('review_answer', sa.Text(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_cases_unit_queue'))
        batch_op.create_index('ix_cases_unit_queue', ['unit_code', 'supervision_open', 'due_date', 'case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_reviewing_unit_code'), ['reviewing_unit_code'], unique=False)

    with op.batch_alter_table('timeline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('actor', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('timeline', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
        batch_op.drop_column('actor')
        batch_op.drop_column('detail')
        batch_op.drop_column('public')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_reviewing_unit_code'))
        batch_op.drop_index('ix_cases_unit_queue')
        batch_op.create_index(batch_op.f('ix_cases_unit_queue'), ['unit_code', 'due_date', 'case_number'], unique=False)
        batch_op.drop_column('review_answer')
        batch_op.drop_column('review_answered_at')
        batch_op.drop_column('review_requested_at')
        batch_op.drop_column('reviewing_unit_name')
        batch_op.drop_column('reviewing_unit_code')
        batch_op.drop_column('review_state')
        batch_op.drop_column('extended_until')
        batch_op.drop_column('extension_reason')
        batch_op.drop_column('extension_requested_until')
        batch_op.drop_column('extension_state')
        batch_op.drop_column('coordinating_units')
        batch_op.drop_column('plan')
        batch_op.drop_column('report_back')
        batch_op.drop_column('report_back_required')
        batch_op.drop_column('instructions')
        batch_op.drop_column('decline_reason')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('accept_due')
        batch_op.drop_column('assigned_at')

    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_orders_unit_code'))
        batch_op.drop_index(batch_op.f('ix_supervision_orders_case_number'))
        batch_op.drop_index('ix_orders_status')

    op.drop_table('supervision_orders')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_open_due')
        batch_op.drop_index(batch_op.f('ix_deadlines_case_number'))

    op.drop_table('deadlines')
    with op.batch_alter_table('co_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_co_parts_unit_code'))
        batch_op.drop_index(batch_op.f('ix_co_parts_case_number'))

    op.drop_table('co_parts')
    op.drop_table('alerts')
    op.drop_table('spot_checks')
