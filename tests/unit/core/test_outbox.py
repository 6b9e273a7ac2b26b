"""The outbox side of a transaction (core.store.Transaction.emit) on a real
SQLite store: a row is written in the transaction of the state change, seen
by a read in that transaction, gone with a rollback, and handed to the relay
by id once committed."""
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from core import events
from core.store import OutboxMessage, StoreHandle, create_tables, make_engine

CASE = {"case_number": "JN20260930-000001", "area_code": "370102", "unit_code": "U1"}


class NoTables(DeclarativeBase):
    pass


def _store(tmp_path, noted):
    engine = make_engine(f"sqlite:///{tmp_path}/outbox.db")
    create_tables(engine, NoTables)
    return engine, StoreHandle(sessionmaker(engine), "svc.on_thing", on_emit=noted.append)


def test_a_read_in_the_transaction_sees_the_row_it_wrote_and_the_relay_gets_its_id(tmp_path):
    noted = []
    engine, store = _store(tmp_path, noted)
    with store.transaction() as tx:
        payload = tx.emit(events.CASE_ACCEPTED, **CASE, accepted_by="clerk")
        # As tests/kit.prove_phone reads the code it has just emitted.
        row = tx.session.scalar(select(OutboxMessage).where(
            OutboxMessage.event_id == payload["event_id"]))
        assert (row.exchange, row.routing_key, row.payload) == (
            "tracking.events", "case_accepted", payload)
        assert row.created_at is not None and row.published_at is None
        assert noted == []  # the relay hears of it only once committed
    second = {**CASE, "case_number": "JN20260930-000002"}
    with store.transaction() as tx:
        tx.emit(events.CASE_ACCEPTED, **second, accepted_by="clerk")
        tx.emit(events.CASE_REPLIED, **second, replied_by="clerk")
    with engine.connect() as conn:
        ids = conn.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
    assert noted == [ids[:1], ids[1:]]


def test_a_rolled_back_transaction_leaves_no_row_and_tells_the_relay_nothing(tmp_path):
    noted = []
    engine, store = _store(tmp_path, noted)
    try:
        with store.transaction() as tx:
            tx.emit(events.CASE_ACCEPTED, **CASE, accepted_by="clerk")
            raise RuntimeError("the state change failed")
    except RuntimeError:
        pass
    with engine.connect() as conn:
        assert conn.scalars(select(OutboxMessage.id)).all() == []
    assert noted == []
