"""The outbox relay publishes a batch under one wait for the broker's
confirms, and marks only the rows the broker confirmed (real broker)."""
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kombu import Connection, Exchange, Queue
from sqlalchemy import select, update
from sqlalchemy.orm import DeclarativeBase

from core.publish import BatchPublisher, NotConfirmed
from core.store import OutboxMessage, OutboxRelay
from tests.kit import sqlite_store

EXCHANGE = Exchange("relay_test", type="topic", durable=True)


class Base(DeclarativeBase):
    pass


@pytest.fixture
def store(sqlite_url):
    with sqlite_store(sqlite_url, Base) as handle:
        yield handle


def _add_rows(store, count):
    with store.transaction() as tx:
        for number in range(count):
            tx.session.add(OutboxMessage(event_id=str(uuid.uuid4()), exchange=EXCHANGE.name,
                                         routing_key="thing", payload={"number": number}))


def _published(store):
    with store.transaction() as tx:
        return [row.payload["number"] for row in tx.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id)) if row.published_at is not None]


def _drain(conn, queue):
    numbers = []
    while (message := conn.default_channel.basic_get(queue.name, no_ack=True)) is not None:
        numbers.append(json.loads(message.body)["number"])
    return numbers


def test_a_batch_goes_out_in_order_and_every_row_is_marked(store, amqp_uri):
    queue = Queue("relay_test_all", EXCHANGE, routing_key="thing", durable=True)
    publisher = BatchPublisher(amqp_uri)
    with Connection(amqp_uri) as conn:
        queue(conn.default_channel).declare()
        _add_rows(store, 50)
        try:
            relay = OutboxRelay(store.sessions, publisher, batch_size=30)
            assert relay.publish_pending() == 30
            assert relay.publish_pending() == 20
            assert relay.publish_pending() == 0
        finally:
            publisher.close()
        assert _drain(conn, queue) == list(range(50))
    assert _published(store) == list(range(50))


def test_rows_the_broker_refused_stay_unpublished_and_go_out_later(store, amqp_uri):
    # A full queue that rejects publishes: the broker nacks what it cannot take.
    queue = Queue("relay_test_full", EXCHANGE, routing_key="thing", durable=True,
                  queue_arguments={"x-max-length": 3, "x-overflow": "reject-publish"})
    publisher = BatchPublisher(amqp_uri)
    relay = OutboxRelay(store.sessions, publisher)
    with Connection(amqp_uri) as conn:
        queue(conn.default_channel).declare()
        _add_rows(store, 5)
        try:
            with pytest.raises(NotConfirmed, match="nacked 2 of 5"):
                relay.publish_pending()
            assert _published(store) == [0, 1, 2]
            assert _drain(conn, queue) == [0, 1, 2]
            assert relay.publish_pending() == 2  # a fresh connection after the failure
        finally:
            publisher.close()
        assert _drain(conn, queue) == [3, 4]
    assert _published(store) == list(range(5))


def test_a_service_relay_publishes_its_own_rows_at_once_and_anothers_once_they_are_old(
        store, amqp_uri):
    # Two processes of one service on one SQLite file (no SKIP LOCKED there):
    # each relay takes the rows its process wrote, and the other's only once
    # they are old enough to have been left by a process that died.
    queue = Queue("relay_test_shared", EXCHANGE, routing_key="thing", durable=True)
    mine, theirs = BatchPublisher(amqp_uri), BatchPublisher(amqp_uri)
    relay = OutboxRelay(store.sessions, mine, others_after=timedelta(seconds=60))
    other = OutboxRelay(store.sessions, theirs, others_after=timedelta(seconds=60))
    with Connection(amqp_uri) as conn:
        queue(conn.default_channel).declare()
        _add_rows(store, 3)
        with store.transaction() as tx:
            relay.note(tx.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()[:2])
        try:
            assert other.publish_pending() == 0
            assert relay.publish_pending() == 2
            assert _drain(conn, queue) == [0, 1]
            with store.transaction() as tx:  # the third row, an hour old: its writer is gone
                tx.session.execute(update(OutboxMessage).where(
                    OutboxMessage.published_at.is_(None)).values(
                    created_at=datetime.now(timezone.utc) - timedelta(hours=1)))
            assert other.publish_pending() == 1
            assert relay.publish_pending() == 0
        finally:
            mine.close()
            theirs.close()
        assert _drain(conn, queue) == [2]
    assert _published(store) == [0, 1, 2]
