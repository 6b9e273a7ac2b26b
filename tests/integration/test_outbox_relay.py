"""The outbox relay publishes a batch under one wait for the broker's
confirms, and marks only the rows the broker confirmed (real broker); an event
no queue binds is set aside in ``unrouted``, where ``deploy.parked`` lists and
replays it."""
import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kombu import Connection, Exchange, Queue
from sqlalchemy import func, select, update
from sqlalchemy.orm import DeclarativeBase

from core.publish import UNROUTED, BatchPublisher, NotConfirmed
from core.store import OTHERS_LOOK_SECONDS, OutboxMessage, OutboxRelay
from deploy.parked import parked_counts, replay
from deploy.topology import declare_topology
from tests.kit import sqlite_store

EXCHANGE = Exchange("relay_test", type="topic", durable=True)


class Base(DeclarativeBase):
    pass


@pytest.fixture
def store(sqlite_url):
    with sqlite_store(sqlite_url, Base) as handle:
        yield handle


def _add_rows(store, count, **fields):
    with store.transaction() as tx:
        for number in range(count):
            tx.session.add(OutboxMessage(event_id=str(uuid.uuid4()), exchange=EXCHANGE.name,
                                         routing_key="thing", payload={"number": number, **fields}))


def _published(store):
    with store.transaction() as tx:
        return [row.payload["number"] for row in tx.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id)) if row.published_at is not None]


def _drain(conn, queue, field="number"):
    values = []
    while (message := conn.default_channel.basic_get(queue.name, no_ack=True)) is not None:
        values.append(json.loads(message.body).get(field))
    return values


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


def test_a_batch_with_an_exchange_the_broker_refuses_sends_nothing_until_it_is_mended(amqp_uri):
    # "clashing" exists as a direct exchange: declaring it as the relay's topic
    # exchange is refused (PRECONDITION_FAILED) and closes the channel. The
    # batch's message for the good exchange must not go out on each retry.
    queue = Queue("relay_test_clash", EXCHANGE, routing_key="thing", durable=True)
    clashing = Exchange("relay_test_clashing", type="direct", durable=True)
    batch = [(EXCHANGE.name, "thing", {"event_type": "thing", "number": 1}),
             (clashing.name, "thing", {"event_type": "thing", "number": 2})]
    publisher = BatchPublisher(amqp_uri, confirm_timeout=5)
    with Connection(amqp_uri) as conn:
        queue(conn.default_channel).declare()
        clashing(conn.default_channel).declare()
        try:
            for _retry in range(3):
                confirmed = set()
                with pytest.raises(Exception, match="PRECONDITION_FAILED|inequivalent"):
                    publisher.publish(batch, confirmed)
                assert confirmed == set()
        finally:
            publisher.close()
            clashing(conn.default_channel).delete()
        assert _drain(conn, queue) == []


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


def test_a_relay_busy_with_its_own_rows_still_publishes_anothers_old_row_within_a_look(
        store, amqp_uri):
    # A cycle per commit below saturation: the others' old rows are looked
    # for at most every OTHERS_LOOK_SECONDS then, and never left behind.
    queue = Queue("relay_test_busy", EXCHANGE, routing_key="thing", durable=True)
    publisher = BatchPublisher(amqp_uri)
    relay = OutboxRelay(store.sessions, publisher, others_after=timedelta(seconds=60))
    with Connection(amqp_uri) as conn:
        queue(conn.default_channel).declare()
        _add_rows(store, 1, age="old")  # left an hour ago by a process that died
        with store.transaction() as tx:
            tx.session.execute(update(OutboxMessage).values(
                created_at=datetime.now(timezone.utc) - timedelta(hours=1)))
        relay.others_looked = time.monotonic()  # it has just looked
        try:
            for number in (1, 2):
                _add_rows(store, 1)
                with store.transaction() as tx:
                    relay.note([tx.session.scalar(select(func.max(OutboxMessage.id)))])
                assert relay.publish_pending() == 1  # its own row only
            relay.others_looked -= OTHERS_LOOK_SECONDS  # a look is due
            _add_rows(store, 1)
            with store.transaction() as tx:
                relay.note([tx.session.scalar(select(func.max(OutboxMessage.id)))])
            assert relay.publish_pending() == 2  # its own and the other's, in order
        finally:
            publisher.close()
        assert _drain(conn, queue, "age") == [None, None, "old", None]


def test_an_event_no_queue_binds_is_set_aside_and_replayed_once_a_queue_binds_it(
        store, amqp_uri):
    # The city binds 370102; no deployment binds the county 370199.
    city = Queue("relay_test_city", EXCHANGE, routing_key="thing.370102", durable=True)
    county = Queue("relay_test_county", EXCHANGE, routing_key="thing.370199", durable=True)
    declare_topology(amqp_uri)  # the unrouted queue among the rest
    publisher = BatchPublisher(amqp_uri)
    relay = OutboxRelay(store.sessions, publisher)
    with Connection(amqp_uri) as conn:
        city(conn.default_channel).declare()
        _add_rows(store, 2, area_code="370102001")
        _add_rows(store, 1, area_code="370199")
        try:
            assert relay.publish_pending() == 3
        finally:
            publisher.close()
        assert _published(store) == [0, 1, 0]
        assert _drain(conn, city) == [0, 1]
        assert parked_counts(amqp_uri)[UNROUTED.name] == 1
        set_aside = conn.default_channel.basic_get(UNROUTED.name)
        assert set_aside.headers["x-original-exchange"] == EXCHANGE.name
        assert set_aside.headers["x-original-routing-key"] == "thing.370199"
        conn.default_channel.basic_reject(set_aside.delivery_tag, requeue=True)

        assert replay(amqp_uri, UNROUTED.name) == (0, 1)  # still no queue binds it: it stays
        assert parked_counts(amqp_uri)[UNROUTED.name] == 1
        county(conn.default_channel).declare()  # the county's deployment comes up
        assert replay(amqp_uri, UNROUTED.name) == (1, 0)
        assert _drain(conn, county) == [0]
        assert parked_counts(amqp_uri)[UNROUTED.name] == 0


def test_a_relay_sets_aside_an_unbound_event_before_the_topology_step_ran(store, amqp_uri):
    publisher = BatchPublisher(amqp_uri)
    _add_rows(store, 1, area_code="370199")
    # one for department systems only (events.FOR_SUBSCRIBERS_ONLY): none here, none needed
    _add_rows(store, 1, area_code="370199", event_type="case_final")
    try:
        assert OutboxRelay(store.sessions, publisher).publish_pending() == 2
    finally:
        publisher.close()
    assert _published(store) == [0, 0]
    with Connection(amqp_uri) as conn:
        assert conn.default_channel.queue_declare(UNROUTED.name, passive=True).message_count == 1
