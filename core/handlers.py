"""Reliable event consumption: validate against the contract, retry with
backoff, then park where an operator can see and replay the message.

nameko's own ``event_handler`` acks a message whose handler raised, so a failure
silently drops the event. ``handles(contract)`` keeps nameko's queue naming
(``evt-<source>-<event_type>--<service>.<method>``) and adds, per handler queue:

* ``<queue>.retry.<N>s``: one queue per backoff step; a failed message waits
  there for N seconds (queue TTL), then dead-letters back to ``<queue>``;
* ``<queue>.parked``: where a message goes after the last retry, or at once if
  it breaks the contract (no retry can fix that). ``python -m deploy.parked``
  lists and replays them.

It also makes every handler idempotent, once for all: the decorated method
runs inside a transaction of the service's ``store`` that first records the
event in the inbox; a redelivered event (same ``event_id``) is skipped. The
method receives that transaction and writes its effects in it::

    @handles(events.CASE_REPLIED)
    def on_case_replied(self, tx, event):
        ratings.record_reply(tx, event)

A handler that only hands the event to its domain function is one line:
``handler``; events that all get one treatment are a table: ``handle_each``.

Config: ``EVENT_RETRY_DELAYS`` (seconds, default ``[1, 5, 30]``).
"""
import functools
import logging
import time
from dataclasses import dataclass

from eventlet.semaphore import Semaphore
from kombu import Connection, Exchange, Queue, binding
from marshmallow import ValidationError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.containers import ServiceContainer
from nameko.events import EventHandler
from nameko.extensions import SharedExtension

from core.areas import binding_keys, possible_keys
from core.broker import (
    BROKER_ERRORS,
    BoundedPublisher,
    WatchfulQueueConsumer,
    forward,
    requeue,
)
from core.metrics import EVENT_RETRIES, EVENTS_PARKED

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS = (1, 5, 30)
ATTEMPT_HEADER = "x-petition-attempt"
DEFAULT_EXCHANGE = Exchange("")


def retry_delays(config):
    return tuple(float(d) for d in config.get("EVENT_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


@dataclass(frozen=True)
class HandlerQueues:
    """The queues behind one handler, named as nameko names its event queues."""

    contract: object
    service_name: str
    method_name: str
    delays: tuple
    binding_keys: tuple = ()  # core/areas.py: the areas this deployment handles

    @property
    def main(self):
        c = self.contract
        return f"evt-{c.source}-{c.event_type}--{self.service_name}.{self.method_name}"

    @property
    def parked(self):
        return f"{self.main}.parked"

    def retry(self, delay):
        return f"{self.main}.retry.{delay:g}s"

    @property
    def exchange(self):
        return Exchange(self.contract.exchange, type="topic", durable=True)

    @property
    def queue(self):
        return Queue(self.main, durable=True, bindings=[
            binding(self.exchange, routing_key=key) for key in self.binding_keys])

    def stale_keys(self):
        """Keys it may have been bound with before and is no longer."""
        return [key for key in possible_keys(self.contract.event_type)
                if key not in self.binding_keys]

    def declarations(self):
        yield self.exchange
        yield self.queue
        for delay in self.delays:
            yield Queue(self.retry(delay), durable=True, queue_arguments={
                "x-message-ttl": int(delay * 1000),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": self.main,
            })
        yield Queue(self.parked, durable=True)


# How long a starting service goes on trying to declare its handlers' queues.
# On a loaded machine the broker at times resets a connection mid-handshake
# (ECONNRESET), or a new vhost's first connection outlasts kombu's 5 s connect
# timeout (the suite's two halves making and deleting vhosts at once); kombu's
# own retries end there and the service exited at start. Declaring and
# unbinding are idempotent, so they are tried again on a new connection.
DECLARE_PATIENCE_SECONDS = 60
# Each try's handshake may take this long (kombu's 5 s was outlasted by a busy
# broker's first connection to a new vhost; a new try then starts from zero).
DECLARE_CONNECT_TIMEOUT_SECONDS = 15


def on_channel(amqp_uri, work, patience=DECLARE_PATIENCE_SECONDS):
    """Run ``work(channel)`` on a fresh connection, again until ``patience``
    seconds have passed while the broker cannot be reached; ``work`` must be
    idempotent."""
    deadline, pause = time.monotonic() + patience, 0.5
    while True:
        try:
            with Connection(amqp_uri, connect_timeout=DECLARE_CONNECT_TIMEOUT_SECONDS) as connection:
                return work(connection.default_channel)
        except BROKER_ERRORS as exc:
            if time.monotonic() + pause > deadline:
                raise
            log.warning("reaching the broker: %r; again in %.1fs", exc, pause)
            time.sleep(pause)
            pause = min(pause * 2, 5)


def declare(amqp_uri, entities, patience=DECLARE_PATIENCE_SECONDS, batch=None):
    """Declare ``entities``, each waiting for the broker's declare-ok. With
    ``batch``: at most that many per connection, and after each batch a pause
    as long as it took, so the broker spends at most half the time on them and
    other clients get in (deploy/quorum.py: ~300 quorum queues, a Raft cluster
    each, declared back to back once stalled a broker others were using)."""
    entities = list(entities)
    size = batch or max(len(entities), 1)
    for start in range(0, len(entities), size):
        part = entities[start:start + size]

        def declare_part(channel, part=part):
            for entity in part:
                entity.bind(channel).declare()  # a bound copy: a shared entity stays unbound
        began = time.monotonic()
        on_channel(amqp_uri, declare_part, patience)
        if batch and start + size < len(entities):
            time.sleep(time.monotonic() - began)


class HandlerTopology(SharedExtension):
    """Declares the queues of every reliable handler of a service container,
    on one connection, once, before any of them consumes: the handlers are
    set up side by side and each waits here for the first to have declared."""

    def __init__(self):
        self._lock = Semaphore()
        self._declared = False

    def declare(self):
        with self._lock:
            if not self._declared:
                config = self.container.config
                declare(config[AMQP_URI_CONFIG_KEY], [
                    entity for queues in container_queues(self.container, config)
                    for entity in queues.declarations()])
                self._declared = True


class ReliableEventHandler(EventHandler):
    topology = HandlerTopology()
    queue_consumer = WatchfulQueueConsumer()  # shared with the RPC consumers (core/broker.py)

    def __init__(self, contract, **kwargs):
        self.contract = contract
        super().__init__(contract.source, contract.event_type, **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.queues = queues_of(self, self.container.service_name, config)
        self.queue = self.queues.queue  # bound to this deployment's areas only
        self.publisher = BoundedPublisher(config[AMQP_URI_CONFIG_KEY])
        self.topology.declare()

    def handle_message(self, body, message):
        try:
            event = self.contract.load(body)
        except ValidationError as exc:
            reason = f"breaks the {self.contract.event_type} contract: {exc.messages}"
            self._settle(message, lambda: self._park(body, message, reason))
            return
        except Exception as exc:  # a schema bug must not kill the consumer
            log.exception("%s: could not read the message", self.queues.main)
            reason = f"could not be read: {exc!r}"
            self._settle(message, lambda: self._park(body, message, reason))
            return
        super().handle_message(event, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is None:
            self._settle(message)
        else:
            # The body as received (not the loaded event) is what travels on.
            self._settle(message, lambda: self._retry_or_park(
                message.payload, message, exc_info[1]))
        return result, exc_info

    def _settle(self, message, before_ack=None):
        """Publish the retry or parked copy (if any), then ack. If the broker
        is gone, neither happens and it redelivers the message later. A copy
        that could not be published (its pooled connection may be the one
        that died, the consumer's may live) hands the message back now."""
        try:
            if before_ack is not None:
                before_ack()
        except BROKER_ERRORS as exc:
            log.warning("%s: could not publish its retry or parked copy (%r); the message "
                        "goes back to the queue", self.queues.main, exc)
            requeue(self.queue_consumer, message)
            return
        try:
            self.queue_consumer.ack_message(message)
        except BROKER_ERRORS as exc:
            log.warning("%s: broker connection lost (%r); the message will be redelivered",
                        self.queues.main, exc)

    def _retry_or_park(self, body, message, exc):
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0)) + 1
        delays = self.queues.delays
        if attempt <= len(delays):
            log.warning("%s failed (attempt %d), retrying in %gs: %r",
                        self.queues.main, attempt, delays[attempt - 1], exc)
            self._publish(body, message, self.queues.retry(delays[attempt - 1]),
                          {ATTEMPT_HEADER: attempt})
            EVENT_RETRIES.labels(self.queues.main).inc()
        else:
            self._park(body, message, f"failed {attempt} times, last: {exc!r}")

    def _park(self, body, message, reason):
        log.error("%s: parking message: %s", self.queues.main, reason)
        self._publish(body, message, self.queues.parked,
                      {"x-parked-reason": reason[:1000], "x-original-queue": self.queues.main})
        EVENTS_PARKED.labels(self.queues.main).inc()

    def _publish(self, body, message, queue, headers):
        # Publish (confirmed) before the caller acks: at least once, never zero.
        self.publisher.publish(body, exchange=DEFAULT_EXCHANGE, routing_key=queue,
                               headers={**(message.headers or {}), **headers})


def handles(contract):
    """Consume ``contract``'s events reliably and once: the method is called as
    ``method(self, tx, event)`` in a transaction of ``self.store`` that has
    recorded the event in the inbox, and not called at all for a redelivery.
    An exception rolls the transaction back (inbox entry included), so the
    retry finds the event unhandled."""
    def decorate(method):
        @functools.wraps(method)
        def handle_once(self, event):
            with self.store.transaction() as tx:
                # tx.handler: the entrypoint's own name (a one-line handler's
                # method is named for its domain function).
                if tx.first_delivery(event):
                    method(self, tx, event)
                    log.info("%s handled %s", tx.handler, contract.event_type)
                else:
                    log.info("%s skipped %s: already handled", tx.handler, contract.event_type)
        return ReliableEventHandler.decorator(contract)(handle_once)
    return decorate


def handler(contract, function, *given):
    """A reliable handler of ``contract``'s events that only hands the
    transaction and the event to the domain ``function(tx, event)`` (and the
    service's dependency of each name in ``given``: core.broker.forward)::

        on_case_replied = handler(events.CASE_REPLIED, ratings.record_reply)
        on_petition_routed = handler(events.PETITION_ROUTED, cases.apply_routing, "clocks")
    """
    return handles(contract)(forward(function, *given))


def handle_each(service_cls, contracts, treatment):
    """Declare on ``service_cls`` one reliable handler per contract of a
    declared table, for events that all get one treatment: each is named
    ``on_<event type>``, and so is its queue, as a handler written out would
    be (``evt-<source>-<event type>--<service>.on_<event type>``: one queue
    per event type), and runs ``treatment(self, tx, contract, event)`` as
    ``handles`` runs a method. Adding a row to the table subscribes the
    service, and ``deploy.topology`` declares the row's queue."""
    for contract in contracts:
        name = f"on_{contract.event_type}"
        if name in vars(service_cls):  # a handler written out is never replaced
            raise TypeError(f"{service_cls.__name__}.{name} is declared twice")
        setattr(service_cls, name, handles(contract)(_treating(treatment, contract, name)))
    return service_cls


def _treating(treatment, contract, name):
    def handle(self, tx, event):
        treatment(self, tx, contract, event)
    handle.__name__ = handle.__qualname__ = name  # what the handler's log lines say
    return handle


def handler_queues(service_classes, config):
    """Every reliable handler's queues, for the topology step and the parked-
    message command: read off the service classes, no service started."""
    return [queues for cls in service_classes
            for queues in container_queues(ServiceContainer(cls, config), config)]


def container_queues(container, config):
    return [queues_of(entrypoint, container.service_name, config)
            for entrypoint in container.entrypoints
            if isinstance(entrypoint, ReliableEventHandler)]


def queues_of(handler, service_name, config):
    contract = handler.contract
    return HandlerQueues(contract, service_name, handler.method_name, retry_delays(config),
                         tuple(binding_keys(service_name, contract.event_type, config)))
