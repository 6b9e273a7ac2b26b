"""Queues are declared before any event flows: events published while their
consumers have never run wait in the queues `deploy.topology` declared, and
are handled once the consumers start."""
import pytest
from kombu import Connection, Queue
from sqlalchemy import create_engine, text

from core.errors import NotFound
from core.sealed import Sealer
from tests.faults.support import VALID, api, assert_nothing_lost, eventually, new_phone, rpc

PHONE_CODES = "evt-intake.private-phone_code--notify.on_phone_code"


def submit_before_notify_ever_ran(stack):
    """A petition, its phone proven with the code that waits in notify's
    queue (notify has never run: the phone has not received it yet); the code
    is read there and left in the queue."""
    phone = new_phone()
    asked = api(stack, "POST", "/phone-codes", json={"phone": phone,
                                                     "id_number": VALID["id_number"]})
    assert asked.status_code == 202, asked.text
    code = eventually(lambda: _queued_code(stack, phone))
    response = api(stack, "POST", "/petitions", json={**VALID, "phone": phone, "sms_code": code})
    assert response.status_code == 201, response.text
    return {**response.json(), "phone": phone}


def _queued_code(stack, phone):
    with Connection(stack.env["AMQP_URI"]) as conn:
        queue = Queue(PHONE_CODES, channel=conn.default_channel, no_declare=True)
        seen = []
        try:
            while (message := queue.get(no_ack=False)) is not None:
                seen.append(message)
                opened = Sealer(stack.env["PRIVATE_EVENT_KEYS"], "keys").open(
                    message.payload["sealed"])
                if opened["phone"] == phone:
                    return opened["code"]
        finally:
            for message in seen:
                message.requeue()


def outbox_pending(stack):
    """Intake's outbox rows not yet published (private rows are deleted once
    published, so every row left is pending or a published public event)."""
    engine = create_engine(f"sqlite:///{stack.var_dir}/intake.db")
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                                ).scalar()
    finally:
        engine.dispose()


@pytest.mark.timeout(150)
def test_events_published_before_their_consumers_ever_ran_are_kept(fresh_stack):
    stack = fresh_stack  # prepared: migrated, seeded, topology declared
    for name in ("gateway", "intake", "routing"):
        stack.start(name)
    stack.wait_until_ready()
    receipts = [submit_before_notify_ever_ran(stack) for _ in range(8)]

    # Intake published everything, routing routed everything, while tracking,
    # notify and rating have never started.
    assert eventually(lambda: outbox_pending(stack) == 0), "intake's outbox did not empty"
    with rpc(stack) as services:
        for receipt in receipts:
            number = receipt["case_number"]
            assert eventually(lambda n=number: _routed(services, n)), receipt

    for name in ("tracking", "notify", "rating"):
        stack.start(name)
    assert_nothing_lost(stack, receipts, timeout=60)


def _routed(services, case_number):
    try:
        return services.routing.assignment(case_number)
    except NotFound:  # not routed yet
        return None
