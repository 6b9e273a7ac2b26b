"""The init container's check (deploy.preflight): a pod waits until its
database is at the head and its queues are declared, and then goes."""
from core.config import ROOT, load_config
from core.migrations import upgrade
from deploy import preflight
from deploy.topology import declare_topology


def test_waits_for_the_migrations_then_the_topology(amqp_uri, sqlite_url):
    config = {**load_config("rating"), "DB_URL": sqlite_url, "AMQP_URI": amqp_uri}
    assert "not at the head" in preflight.missing("rating", config)
    upgrade(ROOT / "services" / "rating", sqlite_url)
    assert "not declared" in preflight.missing("rating", config)
    declare_topology(amqp_uri)
    assert preflight.missing("rating", config) is None


def test_an_unreachable_broker_is_not_ready(sqlite_url):
    upgrade(ROOT / "services" / "rating", sqlite_url)
    config = {**load_config("rating"), "DB_URL": sqlite_url,
              "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"}
    assert "broker unreachable" in preflight.missing("rating", config)
