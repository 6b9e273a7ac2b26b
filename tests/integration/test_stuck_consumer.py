"""A consumer the broker no longer delivers to (core.broker.WatchfulQueueConsumer),
on the real broker. What RabbitMQ 3.10 did to quorum-queue consumers when a
cluster node was lost (tests/faults/test_cluster.py) is made here by a client
that drops its first deliveries unseen: the broker counts them as delivered,
the consumer's prefetch is used up, and the queue fills while the consumer
idles. The service notices, drops the connection and consumes again, and
every request is then handled, once."""
import logging

import eventlet
import pytest
from kombu import Connection, Queue
from nameko.messaging import Consumer
from nameko.standalone.rpc import ServiceRpcProxy

from core import broker
from core.broker import (
    ReliableRpc,
    ReliableRpcConsumer,
    TimedRpcProxy,
    WatchfulQueueConsumer,
    WatchfulReplyListener,
)
from tests.kit import wait_for

PREFETCH = 3  # max_workers: nameko's per-consumer prefetch


class LosingQueueConsumer(WatchfulQueueConsumer):
    """Drops its first ``PREFETCH`` RPC requests, as a channel that never got them."""

    def __init__(self):
        super().__init__()
        self.to_lose = PREFETCH

    def handle_message(self, provider, body, message):
        if self.to_lose and isinstance(provider, ReliableRpcConsumer):
            self.to_lose -= 1
            return
        super().handle_message(provider, body, message)


class LosingRpcConsumer(ReliableRpcConsumer):
    queue_consumer = LosingQueueConsumer()


class LosingRpc(ReliableRpc):
    rpc_consumer = LosingRpcConsumer()


class LosingConsume(Consumer):
    queue_consumer = LosingQueueConsumer()


class LosingReplyListener(WatchfulReplyListener):
    queue_consumer = LosingQueueConsumer()


class LosingRpcProxy(TimedRpcProxy):
    rpc_reply_listener = LosingReplyListener()


class Echo:
    name = "echo"
    handled = []

    @LosingRpc.decorator
    def echo(self, n):
        self.handled.append(n)
        return n


class Slow:
    name = "slow"
    handled = []

    @ReliableRpc.decorator
    def work(self, n):
        eventlet.sleep(0.5)
        self.handled.append(n)
        return n


@pytest.fixture
def quick_looks(monkeypatch):
    monkeypatch.setattr(broker, "PROBE_SECONDS", 0.3)
    monkeypatch.setattr(broker, "IDLE_SECONDS", 1.0)


def test_a_consumer_left_without_deliveries_consumes_again_and_loses_nothing(
        container_factory, amqp_uri, quick_looks, caplog):
    Echo.handled = []
    container_factory(Echo, {"AMQP_URI": amqp_uri, "max_workers": PREFETCH}).start()
    with caplog.at_level(logging.WARNING, logger="core.broker"), \
            ServiceRpcProxy("echo", {"AMQP_URI": amqp_uri}, timeout=30) as echo:
        replies = [echo.echo.call_async(n) for n in range(2 * PREFETCH)]
        assert sorted(reply.result() for reply in replies) == list(range(2 * PREFETCH))
    assert sorted(Echo.handled) == list(range(2 * PREFETCH))
    assert any("consuming again" in r.getMessage() and "rpc-echo" in r.getMessage()
               for r in caplog.records), caplog.text


def test_a_busy_or_idle_consumer_keeps_its_connection(
        container_factory, amqp_uri, quick_looks, caplog):
    Slow.handled = []
    container_factory(Slow, {"AMQP_URI": amqp_uri, "max_workers": 1}).start()
    with caplog.at_level(logging.WARNING, logger="core.broker"), \
            ServiceRpcProxy("slow", {"AMQP_URI": amqp_uri}, timeout=30) as slow:
        # Ready messages wait while the one worker is busy: not stuck.
        replies = [slow.work.call_async(n) for n in range(8)]
        assert [reply.result() for reply in replies] == list(range(8))
        eventlet.sleep(3 * broker.IDLE_SECONDS)  # idle, its queue empty
        wait_for(lambda: slow.work(8) == 8)
    assert not [r for r in caplog.records if "consuming again" in r.getMessage()], caplog.text


RELAY_QUEUE = Queue("relay-while-stuck")


class Pong:
    name = "pong"

    @ReliableRpc.decorator
    def pong(self, n):
        return n


class Relay:
    """A worker that calls another service while its process's consumer is
    stuck (on another queue): its reply must still reach it."""
    name = "relay"
    handled = []
    answers = []
    consumer = None

    pong = LosingRpcProxy("pong")

    @LosingRpc.decorator
    def echo(self, n):
        self.handled.append(n)
        return n

    @LosingConsume.decorator(queue=RELAY_QUEUE)
    def relay(self, n):
        wait_for(lambda: Relay.consumer._stuck is not None)
        Relay.answers.append(self.pong.pong(n))


def test_a_worker_running_while_its_consumer_is_stuck_gets_its_replies(
        container_factory, amqp_uri, quick_looks, caplog):
    Relay.handled, Relay.answers = [], []
    container_factory(Pong, {"AMQP_URI": amqp_uri}).start()
    relay = container_factory(Relay, {"AMQP_URI": amqp_uri, "max_workers": PREFETCH,
                                      "RPC_TIMEOUT_SECONDS": 5})
    Relay.consumer, = (extension for extension in relay.extensions
                       if isinstance(extension, LosingQueueConsumer))
    relay.start()
    with Connection(amqp_uri) as connection:
        connection.Producer().publish(7, routing_key=RELAY_QUEUE.name, declare=[RELAY_QUEUE])
    with caplog.at_level(logging.WARNING, logger="core.broker"), \
            ServiceRpcProxy("relay", {"AMQP_URI": amqp_uri}, timeout=60) as echo:
        replies = [echo.echo.call_async(n) for n in range(2 * PREFETCH)]
        assert sorted(reply.result() for reply in replies) == list(range(2 * PREFETCH))
    assert Relay.answers == [7], caplog.text  # the reply came while stuck, and it ran once
    assert sorted(Relay.handled) == list(range(2 * PREFETCH))
    assert any("consuming again" in r.getMessage() for r in caplog.records), caplog.text
