"""Queues are declared before any event flows: events published while their
consumers have never run wait in the queues `deploy.topology` declared, and
are handled once the consumers start."""
import pytest
from sqlalchemy import create_engine, text

from core.errors import NotFound
from tests.faults.support import assert_nothing_lost, eventually, rpc, submit


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
    receipts = [submit(stack) for _ in range(8)]

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
