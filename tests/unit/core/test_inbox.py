"""The inbox (core.store.Transaction.first_delivery) on a real SQLite store:
each (event, handler) is handled once, however often it is delivered, also
when one transaction meets several events or the same one twice."""
from sqlalchemy import func, select
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from core.store import InboxEntry, StoreHandle, create_tables, make_engine


class NoTables(DeclarativeBase):
    pass


def test_each_event_is_a_first_delivery_once_within_and_across_transactions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/inbox.db")
    create_tables(engine, NoTables)
    store = StoreHandle(sessionmaker(engine), handler="svc.on_thing")
    first, second = {"event_id": "e-1"}, {"event_id": "e-2"}
    with store.transaction() as tx:
        assert [tx.first_delivery(first), tx.first_delivery(second),
                tx.first_delivery(first)] == [True, True, False]
    with store.transaction() as tx:
        assert [tx.first_delivery(first), tx.first_delivery(second)] == [False, False]
    # Another handler of the same service is told apart.
    with StoreHandle(sessionmaker(engine), handler="svc.on_other").transaction() as tx:
        assert tx.first_delivery(first)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(InboxEntry)).scalar() == 3


def test_a_rolled_back_transaction_records_no_delivery(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/inbox.db")
    create_tables(engine, NoTables)
    store = StoreHandle(sessionmaker(engine), handler="svc.on_thing")
    try:
        with store.transaction() as tx:
            assert tx.first_delivery({"event_id": "e-1"})
            raise RuntimeError("the effect failed")
    except RuntimeError:
        pass
    with store.transaction() as tx:
        assert tx.first_delivery({"event_id": "e-1"})
