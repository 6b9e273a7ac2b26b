"""``answered_requests`` (core/once.py) is in the stores whose service has
``@once`` methods only: the stores of the others, made by earlier versions
with the table (and a row in it), lose it when migrated, on both stores;
downgrading brings it back."""
import pytest
from alembic import command
from sqlalchemy import inspect, text

from core.config import ROOT, STORED_SERVICES
from core.migrations import alembic_config
from core.store import make_engine

WITHOUT = ("intake", "rating", "reports", "suggestions")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_url):
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", WITHOUT)
def test_a_store_without_once_methods_loses_the_table(service, url):
    config = alembic_config(ROOT / "services" / service, url)
    command.upgrade(config, "head")
    command.downgrade(config, "-1")  # the store as the version before this one left it
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO answered_requests (handler, request_key, fingerprint, answer, withheld,"
            " answered_at) VALUES ('s.m', 'k', 'f', '{}', '[]', CURRENT_TIMESTAMP)"))
    engine.dispose()
    command.upgrade(config, "head")
    assert "answered_requests" not in tables(url)
    assert {"outbox", "inbox"} <= tables(url)
    command.downgrade(config, "-1")
    assert "answered_requests" in tables(url)


def test_only_the_stores_with_once_methods_have_the_table(tmp_path):
    having = set()
    for service in STORED_SERVICES:
        url = f"sqlite:///{tmp_path}/{service}.db"
        command.upgrade(alembic_config(ROOT / "services" / service, url), "head")
        if "answered_requests" in tables(url):
            having.add(service)
    assert having == set(STORED_SERVICES) - set(WITHOUT) == {"routing", "notify", "tracking"}
