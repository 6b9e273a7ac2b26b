"""the unit's file and answer to a message: their own timeline kinds on old entries

Revision ID: a7c4e2f9b1d3
Revises: 938c020f8058
Create Date: 2026-11-26 04:10:00

Since 7232fca a unit's file is written as ``unit_material`` and its answer to a
message as ``message_answer``, and a page's English is looked up by the kind.
Entries written before then carry the petitioner's kinds (``material``,
``message``), so they would show "The petitioner added material / left a
message" above Chinese that says the unit did it. Those entries are told apart
by their stored Chinese: until 7232fca the text was one fixed sentence for each
(办理单位添加了材料 / 办理单位答复了留言; the petitioner's were 信访人补充了材料 /
信访人留言). The sentences are written out here, not imported from
workflows.NOTES: a migration describes the store as it was then.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'a7c4e2f9b1d3'
down_revision: Union[str, Sequence[str], None] = '938c020f8058'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# (old kind, new kind, the unit's text under the old kind)
RENAMED = (("material", "unit_material", "办理单位添加了材料"),
           ("message", "message_answer", "办理单位答复了留言"))


def _rename(old, new, text):
    op.execute(sa.text("UPDATE timeline SET kind = :new WHERE kind = :old AND text = :text")
               .bindparams(old=old, new=new, text=text))


def upgrade() -> None:
    for old, new, text in RENAMED:
        _rename(old, new, text)


def downgrade() -> None:
    # the code before 7232fca knew only the old kinds, whenever an entry was written
    for old, new, text in RENAMED:
        _rename(new, old, text)
