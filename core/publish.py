"""Publishing a batch of messages under publisher confirms, waiting once.

nameko's ``Publisher`` (kombu's ``confirm_publish``) waits for the broker's
confirm after every message: one round trip, and for persistent messages one
disk sync on the broker, per message. Here the batch goes out on one channel
in confirm mode and the broker's acks are awaited together afterwards (it
confirms many deliveries with one ``multiple`` ack). The caller learns which
messages were confirmed, and only those: a message nacked, or left
unconfirmed when the connection failed or the wait timed out, is not.

No event is dropped for want of a queue: every one a service here consumes
(all but ``events.FOR_SUBSCRIBERS_ONLY``) goes out ``mandatory``, and one the
broker returns (no queue binds its routing key, e.g. a county code that
neither the city nor a county deployment binds) is published again to the
``unrouted`` queue (``UNROUTED``, declared by ``deploy.topology``), headers
``x-original-exchange`` and ``x-original-routing-key`` telling where it was
going; it counts as confirmed only once that copy is. ``python -m
deploy.parked`` lists, shows and replays them. (Not an alternate exchange: it
is an exchange argument, and RabbitMQ refuses a redeclare with different
arguments (PRECONDITION_FAILED), while this relay, the handlers' bindings and
subscribers' own code all declare the event exchanges without any; a policy
needs the management API or ``rabbitmqctl``, which services and the topology
Job do not have.)
"""
import logging
import socket
import uuid

from kombu import Connection, Exchange, Producer, Queue
from kombu.common import maybe_declare
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS, PERSISTENT

from core.events import FOR_SUBSCRIBERS_ONLY
from core.logs import correlation_headers
from core.metrics import EVENTS_UNROUTED

log = logging.getLogger(__name__)

UNROUTED = Queue("unrouted", durable=True)
ORIGINAL_EXCHANGE = "x-original-exchange"
ORIGINAL_ROUTING_KEY = "x-original-routing-key"


class NotConfirmed(Exception):
    """Some messages of a batch were nacked, or their confirms never came."""


class BatchPublisher:
    """Keeps one connection and confirm-mode channel; ``publish`` sends a batch
    of ``(exchange, routing_key, payload)`` to durable topic exchanges."""

    def __init__(self, amqp_uri, confirm_timeout=30.0):
        self.amqp_uri = amqp_uri
        self.confirm_timeout = confirm_timeout
        self.connection = self.channel = None

    def publish(self, messages, confirmed):
        """Publish ``messages``; add to the set ``confirmed`` the index of each
        one the broker confirmed (the caller keeps them even when this
        raises). Raises NotConfirmed, or the broker's error, when any message
        was not confirmed."""
        try:
            self._channel()
            # Every exchange of the batch declared before its first message
            # goes: a declare the broker refuses closes the channel, and the
            # batch's earlier messages, sent but never confirmed, would go
            # again on every retry until the exchange were mended.
            for name in dict.fromkeys(name for name, _key, _payload in messages):
                self._exchange(name)
            producer = self.producer
            sent = {}
            for index, (exchange_name, routing_key, payload) in enumerate(messages):
                sent[self._send(producer, index, payload, exchange=self._exchange(exchange_name),
                                routing_key=routing_key, headers=correlation_headers(payload),
                                mandatory=payload.get("event_type") not in FOR_SUBSCRIBERS_ONLY
                                )] = index
            self._await(sent, confirmed)
            if self.returned:
                self._set_aside(producer, confirmed)
        except Exception:
            # Whatever failed (a lost connection, a refused declare, a confirm
            # not received), the channel's state is unknown: py-amqp reopens a
            # closed channel without confirm mode and tags would be counted
            # from the wrong number. The next batch starts on a new connection.
            self.close()
            raise

    def _send(self, producer, index, body, mandatory=True, **options):
        """Publish one message (mandatory: the broker returns it if no queue
        takes it); returns its delivery tag."""
        message_id = str(uuid.uuid4())
        self.sending[message_id] = index
        producer.publish(body, delivery_mode=PERSISTENT, mandatory=mandatory,
                         message_id=message_id, **options)
        tag, self.next_tag = self.next_tag, self.next_tag + 1
        self.unresolved.add(tag)
        return tag

    def _set_aside(self, producer, confirmed):
        """Copy each returned message to ``UNROUTED``; its index is confirmed
        once the copy is."""
        returned, self.returned = self.returned, {}
        confirmed.difference_update(returned)
        maybe_declare(UNROUTED, producer.channel)
        sent = {}
        for index, (exchange, routing_key, message) in returned.items():
            log.warning("no queue binds %s on %s: the event goes to %s", routing_key, exchange,
                        UNROUTED.name)
            EVENTS_UNROUTED.labels(exchange).inc()
            sent[self._send(producer, index, message.body, exchange="", routing_key=UNROUTED.name,
                            content_type=message.content_type,
                            content_encoding=message.content_encoding,
                            headers={**(message.headers or {}), ORIGINAL_EXCHANGE: exchange,
                                     ORIGINAL_ROUTING_KEY: routing_key})] = index
        self._await(sent, confirmed)
        if self.returned:
            raise NotConfirmed(f"{len(self.returned)} messages returned by {UNROUTED.name} too")

    def _await(self, sent, confirmed):
        """Wait for the confirms of ``sent`` ({delivery tag: index})."""
        try:
            while self.unresolved:
                self.connection.drain_events(timeout=self.confirm_timeout)
        except socket.timeout:
            raise NotConfirmed(f"{len(self.unresolved)} confirms not received in "
                               f"{self.confirm_timeout} s") from None
        finally:
            # A returned message is acked too (after its return): not delivered.
            confirmed.update(sent[tag] for tag in self.acked if sent[tag] not in self.returned)
            nacked, self.acked, self.nacked = len(self.nacked), set(), set()
            self.sending = {}
        if nacked:
            raise NotConfirmed(f"the broker nacked {nacked} of {len(sent)} messages")

    def _exchange(self, name):
        """The exchange ``name``, declared once per channel (built, bound and
        declared per batch, it was a tenth of a one-row batch's CPU)."""
        exchange = self.exchanges.get(name)
        if exchange is None:
            exchange = Exchange(name, type="topic", durable=True,
                                delivery_mode=PERSISTENT)(self.channel)
            exchange.declare()
            self.exchanges[name] = exchange
        return exchange

    def _channel(self):
        if self.channel is None:
            options = {**DEFAULT_TRANSPORT_OPTIONS, "confirm_publish": False}
            self.connection = Connection(self.amqp_uri, transport_options=options)
            self.channel = self.connection.channel()
            # Listening from the start: confirms also arrive while a declare waits.
            self.channel.events["basic_ack"].add(self._resolver("acked"))
            self.channel.events["basic_nack"].add(self._resolver("nacked"))
            self.channel.events["basic_return"].add(self._on_return)
            self.channel.confirm_select()
            # The broker numbers a confirm-mode channel's publishes from 1.
            self.next_tag, self.unresolved, self.acked, self.nacked = 1, set(), set(), set()
            self.sending, self.returned = {}, {}  # message id -> index; index -> the return
            self.exchanges = {}  # name -> bound and declared on this channel
            self.producer = Producer(self.channel, serializer="json")
        return self.channel

    def _resolver(self, outcome):
        def resolve(delivery_tag, multiple):
            done = ({t for t in self.unresolved if t <= delivery_tag} if multiple
                    else {delivery_tag})
            self.unresolved.difference_update(done)
            getattr(self, outcome).update(done)
        return resolve

    def _on_return(self, exc, exchange, routing_key, message):
        # Comes before the message's ack; only ``mandatory`` messages are returned.
        index = self.sending[message.properties["message_id"]]
        self.returned[index] = (exchange, routing_key, message)

    def close(self):
        connection, self.connection, self.channel = self.connection, None, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # already broken: nothing more to release
                log.debug("closing a failed publisher connection", exc_info=True)

