"""The notify service on the real broker: events in (the private contact event
and a status event, in either order), SMS out through a provider, the failure
event out to operators, RPC to look."""
from datetime import date
from pathlib import Path

import eventlet
import pytest
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import JSON, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import services.notify
from core import events
from core.handlers import handles
from core.migrations import upgrade
from core.store import Store, create_tables, make_engine
from services.notify.service import NotifyService

CASE, PHONE, QUERY_CODE = "JN20261125-000001", "13812345678", "K7Q2-M9XP-4TNA"
ENVELOPE = dict(case_number=CASE, area_code="370102", unit_code=None)


class Base(DeclarativeBase):
    pass


class Received(Base):
    __tablename__ = "received"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)


class Upstream:
    """Stands in for intake and routing, and for the operators' consumer."""

    name = "upstream"
    store = Store(Base)

    @rpc
    def contact(self):
        with self.store.transaction() as tx:
            tx.emit(events.PETITIONER_CONTACT, **ENVELOPE, phone=PHONE, query_code=QUERY_CODE)

    @rpc
    def routed(self):
        with self.store.transaction() as tx:
            tx.emit(events.PETITION_ROUTED, **{**ENVELOPE, "unit_code": "370102-ZJJ"},
                    unit_name="历下区住建局", category="housing", track="standard",
                    due_date=date(2026, 12, 9), reason="按属地和职能", routing_seq=1)

    @handles(events.NOTIFICATION_FAILED)
    def on_notification_failed(self, event):
        with self.store.transaction() as tx:
            if tx.first_delivery(event):
                tx.session.add(Received(event_id=str(event["event_id"]),
                                        payload={"message_id": event["message_id"],
                                                 "attempts": event["attempts"]}))


def _wait_for(predicate, timeout=15):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


@pytest.fixture
def start(container_factory, amqp_uri, tmp_path, secrets_env):
    """Starts notify (migrated store, with ``settings``) and the upstream stand-in."""
    def start_services(**settings):
        notify_url, upstream_url = f"sqlite:///{tmp_path}/notify.db", f"sqlite:///{tmp_path}/u.db"
        upgrade(Path(services.notify.__file__).parent, notify_url)
        create_tables(make_engine(upstream_url), Base)
        common = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2,
                  "EVENT_RETRY_DELAYS": [0.2, 0.4, 0.8]}
        container_factory(NotifyService, {
            **common, "DB_URL": notify_url, "SEND_INTERVAL_SECONDS": 0.1,
            "CONTACT_ENCRYPTION_KEYS": secrets_env["CONTACT_ENCRYPTION_KEYS"],
            "SMS_LOG_PATH": str(tmp_path / "sms.log"), **settings}).start()
        container_factory(Upstream, {**common, "DB_URL": upstream_url}).start()
        return upstream_url
    return start_services


def test_status_sms_waits_for_the_contact_and_each_is_sent_once(start, amqp_uri, tmp_path):
    start(SMS_PROVIDER="record")
    sms_log = tmp_path / "sms.log"

    def sent():
        return sms_log.read_text(encoding="utf-8").splitlines() if sms_log.exists() else []

    with ServiceRpcProxy("upstream", {"AMQP_URI": amqp_uri}) as upstream, \
            ServiceRpcProxy("notify", {"AMQP_URI": amqp_uri}) as notify:
        upstream.routed()  # before the contact: notify must retry it, not drop it
        eventlet.sleep(0.3)
        upstream.contact()
        _wait_for(lambda: len(sent()) == 2)
        _wait_for(lambda: notify.status_counts() == {"sent": 2})
        listed = notify.messages(CASE)
        assert notify.query_code_sms_count(CASE) == 1
    assert {m["template"] for m in listed} == {"query_code", "petition_routed"}
    assert {m["to"] for m in listed} == {"138****5678"}
    texts = [line.split("\t") for line in sent()]
    assert all(phone == PHONE for _at, phone, _text in texts)
    assert sum(QUERY_CODE in text for _at, _phone, text in texts) == 1


def test_undeliverable_sms_is_retried_then_failed_and_operators_hear_it(start, amqp_uri):
    upstream_url = start(SMS_PROVIDER="failing", SEND_RETRY_BASE_SECONDS=0.05,
                         SEND_MAX_ATTEMPTS=3)
    with ServiceRpcProxy("upstream", {"AMQP_URI": amqp_uri}) as upstream, \
            ServiceRpcProxy("notify", {"AMQP_URI": amqp_uri}) as notify:
        upstream.contact()
        _wait_for(lambda: notify.status_counts() == {"failed": 1})
        [message] = notify.messages(CASE)
    assert message["attempts"] == 3 and message["sent_at"] is None

    def heard():
        with make_engine(upstream_url).connect() as conn:
            return conn.execute(select(func.count()).select_from(Received)).scalar()
    _wait_for(lambda: heard() == 1)
    with make_engine(upstream_url).connect() as conn:
        payload = conn.execute(select(Received.payload)).scalar()
    assert payload == {"message_id": message["message_id"], "attempts": 3}


def test_notify_does_not_start_without_an_encryption_key(container_factory, amqp_uri, sqlite_url):
    container = container_factory(NotifyService, {"AMQP_URI": amqp_uri, "DB_URL": sqlite_url,
                                                  "CONTACT_ENCRYPTION_KEYS": ""})
    with pytest.raises(ValueError, match="no encryption key"):
        container.start()
