"""bench/counts.py reads a large run's inbox counts: more event ids than the
database binds in one statement (PostgreSQL's 65,535; SQLite's own default,
32,766, set here: distributions build it higher), asked in chunks, summed
exactly per handler."""
import sqlite3
import uuid

from sqlalchemy import insert

from bench.counts import IN_CHUNK, handled_per_handler
from core.store import InboxEntry, MessagingBase, create_tables, make_engine

SQLITE_BIND_LIMIT = 32_766
EVENTS = 40_000  # more than one statement may bind


def test_a_run_larger_than_one_statement_binds_is_counted_exactly(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/store.db")
    create_tables(engine, MessagingBase)
    ids = [str(uuid.UUID(int=n)) for n in range(EVENTS)]
    with engine.begin() as db:
        db.execute(insert(InboxEntry), [{"event_id": i, "handler": "on_routed"} for i in ids])
        # a second handler took every third event; an event not asked about is not counted
        db.execute(insert(InboxEntry), [{"event_id": i, "handler": "on_submitted"}
                                        for i in ids[::3]] +
                   [{"event_id": str(uuid.uuid4()), "handler": "on_routed"}])
    with engine.connect() as db:
        db.connection.dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER,
                                                SQLITE_BIND_LIMIT)
        assert handled_per_handler(db, set(ids)) == {"on_routed": EVENTS,
                                                     "on_submitted": len(ids[::3])}
        assert handled_per_handler(db, set()) == {}
    assert EVENTS > SQLITE_BIND_LIMIT > IN_CHUNK
    engine.dispose()
