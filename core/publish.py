"""Publishing a batch of messages under publisher confirms, waiting once.

nameko's ``Publisher`` (kombu's ``confirm_publish``) waits for the broker's
confirm after every message: one round trip, and for persistent messages one
disk sync on the broker, per message. Here the batch goes out on one channel
in confirm mode and the broker's acks are awaited together afterwards (it
confirms many deliveries with one ``multiple`` ack). The caller learns which
messages were confirmed, and only those: a message nacked, or left
unconfirmed when the connection failed or the wait timed out, is not.
"""
import logging
import socket

from kombu import Connection, Exchange, Producer
from kombu.common import maybe_declare
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS, PERSISTENT

from core.broker import BROKER_ERRORS
from core.logs import correlation_headers

log = logging.getLogger(__name__)


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
            channel = self._channel()
            exchanges = {name: Exchange(name, type="topic", durable=True,
                                        delivery_mode=PERSISTENT)
                         for name in dict.fromkeys(name for name, _key, _payload in messages)}
            for exchange in exchanges.values():
                maybe_declare(exchange, channel)
            producer = Producer(channel, serializer="json")
            first_tag = self.next_tag
            for exchange_name, routing_key, payload in messages:
                producer.publish(payload, exchange=exchanges[exchange_name],
                                 routing_key=routing_key, delivery_mode=PERSISTENT,
                                 headers=correlation_headers(payload))
                self.unresolved.add(self.next_tag)
                self.next_tag += 1
            self._await(len(messages), first_tag, confirmed)
        except (*BROKER_ERRORS, NotConfirmed):
            self.close()
            raise

    def _await(self, count, first_tag, confirmed):
        try:
            while self.unresolved:
                self.connection.drain_events(timeout=self.confirm_timeout)
        except socket.timeout:
            raise NotConfirmed(f"{len(self.unresolved)} confirms not received in "
                               f"{self.confirm_timeout} s") from None
        finally:
            confirmed.update(tag - first_tag for tag in self.acked)
            nacked, self.acked, self.nacked = len(self.nacked), set(), set()
        if nacked:
            raise NotConfirmed(f"the broker nacked {nacked} of {count} messages")

    def _channel(self):
        if self.channel is None:
            options = {**DEFAULT_TRANSPORT_OPTIONS, "confirm_publish": False}
            self.connection = Connection(self.amqp_uri, transport_options=options)
            self.channel = self.connection.channel()
            # Listening from the start: confirms also arrive while a declare waits.
            self.channel.events["basic_ack"].add(self._resolver("acked"))
            self.channel.events["basic_nack"].add(self._resolver("nacked"))
            self.channel.confirm_select()
            # The broker numbers a confirm-mode channel's publishes from 1.
            self.next_tag, self.unresolved, self.acked, self.nacked = 1, set(), set(), set()
        return self.channel

    def _resolver(self, outcome):
        def resolve(delivery_tag, multiple):
            done = ({t for t in self.unresolved if t <= delivery_tag} if multiple
                    else {delivery_tag})
            self.unresolved.difference_update(done)
            getattr(self, outcome).update(done)
        return resolve

    def close(self):
        connection, self.connection, self.channel = self.connection, None, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # already broken: nothing more to release
                log.debug("closing a failed publisher connection", exc_info=True)

