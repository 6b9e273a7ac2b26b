"""The routing service's migrations and a unit of work on PostgreSQL."""
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

import services.routing
from core import events
from core.migrations import upgrade
from core.store import OutboxMessage, StoreHandle, make_engine
from services.routing import directory_seed, routing
from services.routing.deadlines import schedule_from_config


def test_migrate_seed_and_route_on_postgres(postgres_url):
    upgrade(Path(services.routing.__file__).parent, postgres_url)
    engine = make_engine(postgres_url)
    store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="routing.test")
    with store.transaction() as tx:
        assert directory_seed.seed(tx, "petition-demo") == {"rules": 14, "staff_accounts": 9,
                                                          "one_time_passwords": {}}
    with store.transaction() as tx:  # idempotent on PostgreSQL too
        assert directory_seed.seed(tx, "petition-demo") == {"rules": 0, "staff_accounts": 0,
                                                          "one_time_passwords": {}}

    event = events.PETITION_SUBMITTED.load(events.PETITION_SUBMITTED.build(
        case_number="JN20260930-000001", area_code="370114", unit_code=None, category="labor",
        title="拖欠工资", submitted_at=datetime(2026, 9, 30, 2, tzinfo=timezone.utc), channel="online"))
    with store.transaction() as tx:
        routing.route_petition(tx, event, schedule_from_config({}))
    with store.transaction() as tx:
        assert routing.assignment(tx, "JN20260930-000001")["unit_code"] == "370114-RSJ"
        [payload] = tx.session.scalars(select(OutboxMessage.payload)).all()
    assert (payload["event_type"], payload["due_date"]) == ("petition_routed", "2026-10-20")
    engine.dispose()
