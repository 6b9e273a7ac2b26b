"""intake's migrations and submissions on PostgreSQL, including two
submissions racing to open the same day's case numbers."""
from datetime import datetime, timezone
from pathlib import Path

import eventlet
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

import services.intake
from core.migrations import upgrade
from core.store import OutboxMessage, StoreHandle, make_engine
from services.intake import case_numbers, petitions
from services.intake.models import Petition
from services.intake.settings import Settings
from tests.kit import prove_phone

REFERENCE = {"categories": [{"code": "housing"}], "areas": [{"code": "370102"}]}
SUBMISSION = {
    "name": "王五", "id_number": "370102199003071238", "phone": "13812345678",
    "title": "物业收费", "content": "物业费上涨未公示。", "category": "housing",
    "area_code": "370102",
}
NOON = datetime(2026, 11, 25, 4, tzinfo=timezone.utc)


def test_migrate_and_submit_on_postgres(postgres_url, secrets_env):
    upgrade(Path(services.intake.__file__).parent, postgres_url)
    engine = make_engine(postgres_url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    store = StoreHandle(sessions)
    settings = Settings.from_config(secrets_env)

    proven = prove_phone(store, settings, SUBMISSION)  # the phone codes' tables on PostgreSQL too
    with store.transaction() as tx:
        result = petitions.submit(tx, proven, REFERENCE, settings, now=NOON)
    assert result["case_number"] == "JN20261125-000001"
    with store.transaction() as tx:
        assert petitions.lookup(tx, result["query_code"], settings)["petitioner"]["name"] == "王*"
    with engine.connect() as conn:
        assert conn.execute(select(Petition.id_number_encrypted)).scalar() != SUBMISSION["id_number"]
        assert len(conn.execute(select(OutboxMessage)).all()) == 2

    # Two submissions open the next day at once: the second waits on the
    # first's counter row, then takes number 2.
    day = datetime(2026, 11, 26, 4, tzinfo=timezone.utc)
    first = sessions()
    assert case_numbers.next_case_number(first, day, settings.timezone) == "JN20261126-000001"
    second = eventlet.spawn(_number_in_own_transaction, sessions, day, settings)
    eventlet.sleep(0.3)  # let the second reach its insert and block
    first.commit()
    first.close()
    assert second.wait() == "JN20261126-000002"
    engine.dispose()


def _number_in_own_transaction(sessions, day, settings):
    with sessions() as session, session.begin():
        return case_numbers.next_case_number(session, day, settings.timezone)
