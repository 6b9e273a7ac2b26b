"""Backup and restore of a service's database (deploy.backup), on SQLite and
on PostgreSQL: a store dumped while in use and restored into an empty
database holds the same rows and the same migration revision."""
import pytest
from sqlalchemy import text

from core.config import ROOT
from core.migrations import upgrade
from core.store import make_engine
from deploy.backup import dump, restore

TABLES = ("alembic_version", "outbox", "inbox")


def contents(url):
    engine = make_engine(url)
    with engine.connect() as connection:
        found = {t: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {t}"))))
                 for t in TABLES}
    engine.dispose()
    return found


def fill(url):
    upgrade(ROOT / "services" / "rating", url)
    engine = make_engine(url)
    with engine.begin() as connection:
        for n in range(50):
            connection.execute(text(
                "INSERT INTO outbox (event_id, exchange, routing_key, payload, created_at) "
                "VALUES (:e, 'rating.events', 'rating_submitted', '{\"n\": 1}', "
                "CURRENT_TIMESTAMP)"), {"e": f"event-{n}"})
            connection.execute(text("INSERT INTO inbox (event_id, handler, handled_at) "
                                    "VALUES (:e, 'rating.on_x', CURRENT_TIMESTAMP)"),
                               {"e": f"in-{n}"})
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def source_and_target(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/rating.db", f"sqlite:///{tmp_path}/restored.db"
    return (request.getfixturevalue("postgres_url"),
            request.getfixturevalue("another_postgres_url"))


def test_a_dump_restored_into_an_empty_database_holds_the_same_store(source_and_target,
                                                                      tmp_path):
    source, target = source_and_target
    fill(source)
    dump(source, tmp_path / "rating.backup")
    restore(target, tmp_path / "rating.backup")
    restored = contents(target)
    assert restored == contents(source)
    assert len(restored["outbox"]) == 50 and restored["alembic_version"]
