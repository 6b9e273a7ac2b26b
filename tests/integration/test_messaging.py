"""The outbox, inbox and retry/park machinery in core, on the real broker."""
import socket
import struct
import time
from datetime import datetime, timezone

import eventlet
import pytest
from kombu import Connection, Queue
from nameko.constants import NON_PERSISTENT
from nameko.rpc import get_rpc_exchange, rpc
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core import events, handlers
from core.broker import TimedRpcProxy
from core.errors import ServiceUnavailable
from core.handlers import HandlerQueues, declare, handler_queues, handles
from core.store import InboxEntry, OutboxMessage, make_engine
from deploy.rabbitmq import queue_consumers
from tests.kit import StandInStore, count_rows, recorder, service_config, wait_for

CASE = dict(case_number="JN20261125-000001", area_code="370102", unit_code=None)


class Base(DeclarativeBase):
    pass


class Seen(Base):
    """One row per run of the handler's effects: a redelivery that got past
    the inbox would add a second row, not fail."""

    __tablename__ = "seen"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(20))


class Producer:
    name = "intake"
    store = StandInStore(Base)

    @rpc
    def submit(self, case_number):
        with self.store.transaction() as tx:
            payload = tx.emit(events.PETITION_SUBMITTED, **{**CASE, "case_number": case_number},
                              category="housing", title="t", submitted_at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc), channel="online")
        return payload["event_id"]


class Consumer:
    name = "tracking"
    store = StandInStore(Base)
    failures = {"JN20261125-999999"}  # a poison message

    @handles(events.PETITION_SUBMITTED)
    def on_submitted(self, tx, event):
        if event["case_number"] in self.failures:
            raise RuntimeError("cannot handle this one")
        tx.session.add(Seen(case_number=event["case_number"]))


def test_outbox_event_reaches_handler_once_even_when_redelivered(
        container_factory, amqp_uri, tmp_path):
    producer_url, consumer_url = f"sqlite:///{tmp_path}/p.db", f"sqlite:///{tmp_path}/c.db"
    container_factory(Producer, service_config(amqp_uri, producer_url)).start()
    consumer = container_factory(Consumer, service_config(amqp_uri, consumer_url))
    consumer.start()

    with ServiceRpcProxy("intake", {"AMQP_URI": amqp_uri}) as intake:
        intake.submit("JN20261125-000001")
    wait_for(lambda: count_rows(consumer_url, Seen) == 1)
    # the relay marked it published (once the broker confirmed it: the handler
    # may have run before that commit)
    def published_at():
        with make_engine(producer_url).connect() as conn:
            return conn.execute(select(OutboxMessage.published_at)).scalar()
    wait_for(lambda: published_at() is not None)

    # the same event again (a relay that crashed before marking it sent)
    queues = HandlerQueues(events.PETITION_SUBMITTED, "tracking", "on_submitted", (0.2, 0.4))
    with make_engine(producer_url).connect() as conn:
        payload = conn.execute(select(OutboxMessage.payload)).scalar()
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(payload, routing_key=queues.main, serializer="json")
        # a marker after it: once the marker is handled, the duplicate was too
        conn.Producer().publish(events.PETITION_SUBMITTED.build(
            **{**CASE, "case_number": "JN20261125-000002"}, category="housing", title="t",
            submitted_at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc),
            channel="online"), routing_key=queues.main, serializer="json")
        wait_for(lambda: count_rows(consumer_url, Seen) == 2)
        assert conn.default_channel.queue_declare(queues.parked, passive=True).message_count == 0
    assert count_rows(consumer_url, Seen) == 2  # the duplicate added nothing
    assert count_rows(consumer_url, InboxEntry) == 2


def test_a_body_that_is_not_an_object_is_parked_and_the_consumer_lives_on(
        container_factory, amqp_uri, tmp_path):
    consumer_url = f"sqlite:///{tmp_path}/c.db"
    container = container_factory(Consumer, service_config(amqp_uri, consumer_url))
    container.start()
    queues = HandlerQueues(events.PETITION_SUBMITTED, "tracking", "on_submitted", (0.2, 0.4))
    event = events.PETITION_SUBMITTED.build(
        **CASE, category="housing", title="t", submitted_at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc), channel="online")
    with Connection(amqp_uri) as conn:
        for body in ([1, 2], "text", None, event):
            conn.Producer().publish(body, routing_key=queues.main, serializer="json")
        wait_for(lambda: count_rows(consumer_url, Seen) == 1)
        channel = conn.default_channel
        wait_for(lambda: channel.queue_declare(queues.parked, passive=True).message_count == 3)
    assert not container._died.ready()  # nameko's own flag: the container did not die


def test_failing_handler_retries_then_parks_and_others_flow(
        container_factory, amqp_uri, tmp_path):
    producer_url, consumer_url = f"sqlite:///{tmp_path}/p.db", f"sqlite:///{tmp_path}/c.db"
    container_factory(Producer, service_config(amqp_uri, producer_url)).start()
    container_factory(Consumer, service_config(amqp_uri, consumer_url)).start()

    with ServiceRpcProxy("intake", {"AMQP_URI": amqp_uri}) as intake:
        intake.submit("JN20261125-999999")
        intake.submit("JN20261125-000002")
    wait_for(lambda: count_rows(consumer_url, Seen) == 1)

    queues = HandlerQueues(events.PETITION_SUBMITTED, "tracking", "on_submitted", (0.2, 0.4))
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        wait_for(lambda: channel.queue_declare(queues.parked, passive=True).message_count == 1)
        parked = channel.basic_get(queues.parked, no_ack=True)
    assert parked.headers["x-petition-attempt"] == 2
    assert "cannot handle this one" in parked.headers["x-parked-reason"]
    assert parked.headers["x-original-queue"] == queues.main


class Caller:
    name = "caller"
    tracking = TimedRpcProxy("tracking")

    @rpc
    def ask(self):
        return self.tracking.status_counts()


def test_an_rpc_request_is_confirmed_but_not_written_to_disk(container_factory, amqp_uri):
    container_factory(Caller, {"AMQP_URI": amqp_uri, "RPC_TIMEOUT_SECONDS": 5}).start()
    with Connection(amqp_uri) as conn:
        # tracking's queue, with no tracking consuming it: the request waits there
        Queue("rpc-tracking", get_rpc_exchange({}), routing_key="tracking.*",
              durable=True)(conn.default_channel).declare()
        requests = []
        with ServiceRpcProxy("caller", {"AMQP_URI": amqp_uri}) as caller:
            reply = caller.ask.call_async()
            wait_for(lambda: (request := conn.default_channel.basic_get(
                "rpc-tracking", no_ack=True)) and requests.append(request) is None)
            assert requests[0].properties["delivery_mode"] == NON_PERSISTENT
            assert requests[0].properties["expiration"] == "5000"
            with pytest.raises(ServiceUnavailable):
                reply.result()


def resetting_proxy(upstream_port, resets_for):
    """A TCP proxy to the broker that resets every connection for the first
    ``resets_for`` seconds (as a loaded broker at times resets one mid-
    handshake), then forwards; the port it listens on and what it accepted."""
    listener = eventlet.listen(("127.0.0.1", 0))
    until, accepted = time.monotonic() + resets_for, []

    def pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except (OSError, EOFError):  # the other side closed (eventlet: EOFError)
            pass
        finally:
            target.close()

    def serve():
        while True:
            client, _ = listener.accept()
            accepted.append(time.monotonic() < until)
            if accepted[-1]:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()  # an RST: ECONNRESET on the client's side
                continue
            upstream = eventlet.connect(("127.0.0.1", upstream_port))
            eventlet.spawn_n(pipe, client, upstream)
            eventlet.spawn_n(pipe, upstream, client)

    server = eventlet.spawn(serve)
    return listener.getsockname()[1], accepted, server


def test_queues_are_declared_through_resets_longer_than_kombus_own_retries(amqp_uri):
    # kombu gives up on a connection after its 5 s connect timeout; a service
    # starting on a loaded machine then exited (reports, with the most queues).
    port, accepted, server = resetting_proxy(5672, resets_for=8)
    try:
        declare(amqp_uri.replace(":5672/", f":{port}/"), [Queue("declared-after-resets")])
    finally:
        server.kill()
    assert accepted[0] and not accepted[-1]  # reset at first, then through
    with Connection(amqp_uri) as connection:
        Queue("declared-after-resets")(connection.default_channel).queue_declare(passive=True)


def test_a_containers_handler_queues_are_declared_once_on_one_connection_before_any_consumes(
        container_factory, amqp_uri, sqlite_url, monkeypatch):
    """HandlerTopology: the handlers are set up side by side; one of them
    declares every handler's queues (main, retry and parked), once, and none
    of them consumes before that."""
    service = recorder(events.PETITION_SUBMITTED, events.PETITION_ROUTED, events.CASE_REPLIED)
    config = service_config(amqp_uri, sqlite_url)
    queues = handler_queues([service], config)
    assert len(queues) == 3
    mains = [q.main for q in queues]
    names = {name for q in queues for name in (q.main, q.parked, *map(q.retry, q.delays))}
    calls = []

    def declare_watched(uri, entities, *args):
        entities = list(entities)
        calls.append(({e.name for e in entities if isinstance(e, Queue)},
                      queue_consumers(amqp_uri, mains)))
        declare(uri, entities, *args)
    monkeypatch.setattr(handlers, "declare", declare_watched)

    container_factory(service, config).start()
    assert calls == [(names, dict.fromkeys(mains, 0))]  # once, all of them, none consumed yet
    assert queue_consumers(amqp_uri, mains) == dict.fromkeys(mains, 1)
    with Connection(amqp_uri) as connection:
        for name in names:  # on the broker, as declared
            Queue(name)(connection.default_channel).queue_declare(passive=True)


def test_entities_declared_in_batches_are_all_declared(amqp_uri):
    queues = [Queue(f"batched-{n}", durable=True) for n in range(5)]
    declare(amqp_uri, queues, batch=2)  # three connections, a pause after the first two
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        assert [channel.queue_declare(q.name, passive=True).message_count for q in queues] == \
            [0] * 5
