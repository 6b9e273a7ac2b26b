"""core.broker.BoundedPublisher on the real broker: a publish that works is
confirmed; a confirm that does not come fails within its bound and leaves no
connection behind; a connection the broker side dropped is replaced and the
message goes out once.

Between the publisher and RabbitMQ runs a relay (real sockets both ways) that
can do what a lost or hung cluster node did to the services: hold the broker's
bytes (its confirms) on the open connections while refusing new ones, or cut
every connection."""
import socket
import time
from contextlib import suppress

import eventlet
import pytest
from kombu import Connection, Queue
from nameko.amqp.publish import UndeliverableMessage

from core.broker import BROKER_ERRORS, PUBLISH_ATTEMPTS, BoundedPublisher

CONFIRM = 1.0  # seconds: the bound under test (TimedRpcProxy sets it so too)
BASIC_ACK = (60).to_bytes(2, "big") + (80).to_bytes(2, "big")  # class basic, method ack


class Relay:
    """Forwards 127.0.0.1:<port> to the broker; ``hold`` keeps back the
    broker's Basic.Ack frames (the confirms) from every connection, open or
    new, until ``release``; ``cut`` closes every connection."""

    def __init__(self, broker_port):
        self.broker_port = broker_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted, self.pairs, self.holding, self.held = 0, [], False, []
        self.acceptor = eventlet.spawn(self._accept)

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            self.accepted += 1
            upstream = socket.create_connection(("127.0.0.1", self.broker_port))
            self.pairs.append((client, upstream))
            eventlet.spawn(self._pipe, client, upstream, self._as_is)
            eventlet.spawn(self._pipe, upstream, client, self._frames)

    def _pipe(self, source, target, forward):
        try:
            pending = b""
            while data := source.recv(65536):
                pending = forward(pending + data, target)
        except (OSError, EOFError):  # EOFError: eventlet's, for a socket the other pipe closed
            pass
        finally:
            for sock in (source, target):
                sock.close()

    def _as_is(self, data, target):
        target.sendall(data)
        return b""

    def _frames(self, data, target):
        """Send each whole frame in ``data`` on (or keep it, a confirm while
        holding); returns the part of a frame still to come."""
        # A frame: type (1: a method), channel (2 bytes), size (4), payload, 0xCE;
        # a method's payload starts with its class and method ids.
        while len(data) >= 7 and len(data) >= 8 + (size := int.from_bytes(data[3:7], "big")):
            frame, data = data[:8 + size], data[8 + size:]
            if self.holding and frame[0] == 1 and frame[7:11] == BASIC_ACK:
                self.held.append((target, frame))
            else:
                target.sendall(frame)
        return data

    def hold(self):
        self.holding = True

    def release(self):
        self.holding, held, self.held = False, self.held, []
        for target, frame in held:
            with suppress(OSError):  # the client dropped that connection
                target.sendall(frame)

    def cut(self):
        for pair in self.pairs:
            for sock in pair:
                with suppress(OSError):  # closed already (the client dropped it)
                    sock.shutdown(socket.SHUT_RDWR)
        self.pairs = []

    def close(self):
        self.cut()
        self.acceptor.kill()
        self.listener.close()


@pytest.fixture
def relayed(amqp_uri):
    """(a publisher through a relay to the vhost, whose pooled connection is
    open, the relay, a queue on the vhost, a function that takes its messages)"""
    relay = Relay(5672)
    queue = Queue("bounded-publisher", durable=True)
    with Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()

        def messages():
            channel = connection.channel()
            bodies = []
            while (message := channel.basic_get(queue.name, no_ack=True)) is not None:
                bodies.append(message.body)
            channel.close()
            return bodies
        publisher = BoundedPublisher(amqp_uri.replace(":5672/", f":{relay.port}/"),
                                     confirm_timeout=CONFIRM)
        # Until a publish opens no connection: kombu's pool opens a second one
        # on the second publish, then keeps using it.
        for _ in range(5):
            opened = relay.accepted
            publisher.publish({"n": 0}, exchange="", routing_key=queue.name)
            if relay.accepted == opened:
                break
        assert relay.accepted == opened > 0
        assert set(messages()) == {'{"n": 0}'}
        yield publisher, relay, queue, messages
    relay.close()


def test_a_publish_that_works_is_confirmed(relayed):
    publisher, relay, queue, messages = relayed
    publisher.publish({"n": 1}, exchange="", routing_key=queue.name, mandatory=True)
    assert messages() == ['{"n": 1}']
    # what a MethodProxy turns into UnknownService: no queue takes it
    with pytest.raises(UndeliverableMessage):
        publisher.publish({"n": 2}, exchange="", routing_key="no-such-queue", mandatory=True)
    publisher.publish({"n": 3}, exchange="", routing_key=queue.name, mandatory=True)
    assert messages() == ['{"n": 3}']


def test_a_confirm_that_does_not_come_fails_within_the_bound(relayed):
    publisher, relay, queue, messages = relayed
    opened = relay.accepted
    relay.hold()
    started = time.monotonic()
    with pytest.raises(BROKER_ERRORS):
        publisher.publish({"n": 1}, exchange="", routing_key=queue.name)
    took = time.monotonic() - started
    # each attempt waited CONFIRM, the second on a new connection (kombu connects
    # again between attempts)
    assert PUBLISH_ATTEMPTS * CONFIRM <= took < PUBLISH_ATTEMPTS * CONFIRM + 1
    assert relay.accepted == opened + PUBLISH_ATTEMPTS - 1
    # The acks come late, to connections that were dropped: the next publish is
    # on a new one, and waits for its own confirm (on the last attempt's
    # connection it would take that attempt's ack for its own).
    relay.release()
    publisher.publish({"n": 2}, exchange="", routing_key=queue.name)
    assert relay.accepted == opened + PUBLISH_ATTEMPTS
    # each attempt reached the broker before its confirm was held: at least once
    assert messages() == ['{"n": 1}'] * PUBLISH_ATTEMPTS + ['{"n": 2}']


def test_a_dropped_connection_is_replaced_and_the_message_goes_out_once(relayed):
    publisher, relay, queue, messages = relayed
    opened = relay.accepted
    publisher.publish({"n": 1}, exchange="", routing_key=queue.name)
    relay.cut()  # a node lost under the pooled connection
    started = time.monotonic()
    publisher.publish({"n": 2}, exchange="", routing_key=queue.name)
    assert time.monotonic() - started < CONFIRM
    assert relay.accepted == opened + 1
    assert messages() == ['{"n": 1}', '{"n": 2}']


def test_an_option_kombu_would_drop_is_refused_and_the_message_properties_go_out(relayed,
                                                                                  amqp_uri):
    publisher, relay, queue, messages = relayed
    # nameko's Publisher option: kombu would send the message with it taken for
    # a property, which py-amqp leaves out of the frame (the confirm waited for all the same)
    with pytest.raises(TypeError, match="use_confirms is neither"):
        publisher.publish({"n": 1}, exchange="", routing_key=queue.name, use_confirms=False)
    assert messages() == []
    publisher.publish({"n": 2}, exchange="", routing_key=queue.name, correlation_id="c-2",
                      reply_to="replies", message_id="m-2")
    with Connection(amqp_uri) as connection:
        message = connection.default_channel.basic_get(queue.name, no_ack=True)
    assert message.body == '{"n": 2}'
    assert {k: message.properties.get(k) for k in ("correlation_id", "reply_to", "message_id")} \
        == {"correlation_id": "c-2", "reply_to": "replies", "message_id": "m-2"}
