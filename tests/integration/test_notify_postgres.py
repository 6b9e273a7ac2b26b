"""The notify store on PostgreSQL: migrations, a contact, and two concurrent
sender runs that must not claim the same message."""
from pathlib import Path

import eventlet
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

import services.notify
from core import events
from core.migrations import upgrade
from core.privacy import FieldCipher
from core.store import StoreHandle, make_engine, utcnow
from services.notify import messages, sending
from services.notify.models import Message

CASES = [f"JN20261125-{n:06d}" for n in range(1, 21)]


def test_concurrent_sender_runs_on_postgres_claim_disjoint_messages(postgres_url, secrets_env):
    upgrade(Path(services.notify.__file__).parent, postgres_url)
    engine = make_engine(postgres_url)
    store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="notify.test")
    cipher = FieldCipher(secrets_env["CONTACT_ENCRYPTION_KEYS"])
    contract = events.PETITIONER_CONTACT
    for case_number in CASES:
        with store.transaction() as tx:
            event = contract.load(contract.build(  # as notify's handler opens it
                case_number=case_number, area_code="370102", unit_code=None, sealed="x"))
            messages.record_contact(tx, cipher, {**event, "phone": "13812345678",
                                                 "query_code": "K7Q2-M9XP-4TNA"})

    policy, now = sending.RetryPolicy(), utcnow()

    def claim():
        with store.transaction() as tx:
            claims = sending.claim_due(tx, policy, now)
            eventlet.sleep(0)  # let the other run reach its claim while this one is open
            return {c.message_id for c in claims}

    first, second = [t.wait() for t in [eventlet.spawn(claim), eventlet.spawn(claim)]]
    assert not first & second
    assert len(first | second) == len(CASES)
    with store.transaction() as tx:
        assert set(tx.session.scalars(select(Message.status))) == {"sending"}
    engine.dispose()
