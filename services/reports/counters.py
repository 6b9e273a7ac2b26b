"""Counter rows, changed by differences: the one way every projection here
(a case's in projections.py, a proposal's in suggestions.py, the similar-case
index's word counts in similar.py) writes its counters, so two workers cannot
lose each other's counts and a count moved away leaves no empty row behind.
A counter table is its primary key and one count column (``value``, or
``cases`` for search_words)."""
from functools import cache

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite

# INSERT ... ON CONFLICT DO UPDATE, in each store's dialect
UPSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


@cache
def _count(table):
    """A counter table's count column: the one outside its primary key."""
    [count] = [column for column in table.columns if not column.primary_key]
    return count


@cache
def _statements(table, dialect):
    """A counter table's two statements, built once per table and dialect
    (building them, ``excluded`` above all, cost more CPU than running them):
    value = value + change, making the rows that are missing; and the
    delete of the rows a decrease brought to zero."""
    count = _count(table)
    upsert = UPSERTS[dialect](table)
    add = upsert.on_conflict_do_update(
        index_elements=list(table.primary_key),
        set_={count.name: count + upsert.excluded[count.name]})
    drop = delete(table).where(
        *(column == bindparam(f"k_{column.name}") for column in table.primary_key),
        count == 0)
    return add, drop


def add(tx, model, changes):
    """Add each change to its counter ({key as (column, value) pairs:
    change}), making the rows that are missing: value = value + change in
    SQL, one statement for all, so two workers cannot lose each other's."""
    count = _count(model.__table__).name
    # In key order: two workers upserting rows they share take the rows'
    # locks in the same order, so on PostgreSQL neither waits for the other
    # in a cycle (a deadlock, one aborted and retried).
    rows = [{**dict(key), count: change} for key, change in sorted(changes.items(), key=_order)
            if change]
    if rows:
        connection = tx.session.connection()
        connection.execute(_statements(model.__table__, connection.dialect.name)[0], rows)


def _order(item):
    return tuple(str(value) for _column, value in item[0])


def apply(tx, model, changes):
    """``add``, then delete the counters a decrease brought to zero: a count
    moved away (a re-routed case, a proposal forwarded to its department)
    leaves no empty row, so the store is the same whichever order the events
    came in."""
    add(tx, model, changes)
    lowered = [{f"k_{c}": v for c, v in key} for key, change in sorted(changes.items(), key=_order)
               if change < 0]
    if lowered:
        connection = tx.session.connection()
        connection.execute(_statements(model.__table__, connection.dialect.name)[1], lowered)
