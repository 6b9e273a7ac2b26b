"""Living with the broker's failures: RPC entrypoints that survive a lost
connection, and RPC calls that give up in time. Also where an RPC method is
handed its transaction (``in_transaction``), as ``core.handlers.handles``
hands an event handler its own.

When RabbitMQ goes away while a worker is finishing, its ack or reply meets a
dead socket: a plain ``ConnectionResetError`` or ``BrokenPipeError``, which
nameko 2.14 does not catch (it expects amqp's own ``ConnectionError``). The
exception escapes the worker, nameko kills the container, and ``nameko run``
exits. Swallowing it is safe: the message was not acked, so the broker
redelivers it once the consumer reconnects, and every handler here is
idempotent (the inbox for events, the submission id for intake.submit).

On a cluster the reply (or a handler's retry copy) goes out on a pooled
publisher connection, which may be the one that died while the consumer's own
connection lives on another node: the message is then handed back to the
broker at once (requeued), not left unacked on a channel that never closes.

A consumer can also be left with nothing to do while its queue fills
(``WatchfulQueueConsumer``). Seen on RabbitMQ 3.10 quorum queues when the node
leading a queue is lost (tests/faults/test_cluster.py): the queue counts up to
a prefetch of messages as delivered to a consumer whose channel never received
them. The channel asks the queue for missing deliveries only when a later one
arrives, and none comes, since the consumer has no credit left; the broker
hands those messages back only when the channel closes. Or a consume made
while the queue elects its leader is confirmed to the client and never
registered. Either way the client sees a healthy, idle connection. So each
service looks: a queue it consumes that has ready messages while its consumer
holds none and has received none for a while is stuck, and the service closes
that connection (after its running workers have acked what they hold) and
consumes again on a new one. The broker then hands the lost deliveries back
to the queue, and the new consumer receives them.
"""
import functools
import inspect
import logging
import time

import eventlet
from amqp.basic_message import Message as AmqpMessage
from amqp.exceptions import ChannelError, RecoverableConnectionError
from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu import Connection, Producer
from kombu.exceptions import ChannelError as KombuChannelError
from kombu.exceptions import OperationalError
from kombu.pools import producers
from nameko.amqp.publish import UndeliverableMessage
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    DEFAULT_TRANSPORT_OPTIONS,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
    PERSISTENT,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import ConfigurationError, MalformedRequest, UnknownService
from nameko.messaging import QueueConsumer
from nameko.rpc import (
    MethodProxy,
    ReplyListener,
    Responder,
    Rpc,
    RpcConsumer,
    RpcProxy,
    ServiceProxy,
    get_rpc_exchange,
)

from core.errors import ServiceUnavailable

log = logging.getLogger(__name__)

BROKER_ERRORS = (OSError, OperationalError, AmqpConnectionError)


def requeue(queue_consumer, message):
    """Hand ``message`` back to the broker now; if the consumer's own
    connection is gone too, the broker takes it back when it notices."""
    try:
        queue_consumer.requeue_message(message)
    except BROKER_ERRORS:
        pass


# How often a service looks at the queues its idle consumers wait on, and how
# long a consumer must have held and received nothing to be looked at. A queue
# seen with ready messages on two looks in a row, its consumer idle all along,
# is stuck (a healthy consumer with room takes a ready message at once).
PROBE_SECONDS = 5.0
IDLE_SECONDS = 10.0
STUCK_LOOKS = 2
# A look that takes longer (a broker node that does not answer) is given up.
PROBE_TIMEOUT_SECONDS = 10.0
# How long a stuck connection waits for running workers to ack before it closes.
RECYCLE_WAIT_SECONDS = 20.0


class ConsumerStuck(RecoverableConnectionError):
    """Raised in the consumer's thread to close its connection: kombu's
    consume loop then connects and consumes again, as after a lost connection."""


class WatchfulQueueConsumer(QueueConsumer):
    """nameko's QueueConsumer (one connection and channel for every consumer
    of a service process) that notices a consumer the broker no longer
    delivers to, and consumes again on a new connection (module docstring).

    It counts, per consumer, the messages handed to workers and not yet acked
    or requeued, and when it last received one. Every ``PROBE_SECONDS`` a
    green thread reads (passive declare, on a connection of its own) the ready
    count of each queue whose consumer has held and received nothing for
    ``IDLE_SECONDS``. Once a queue is seen ``STUCK_LOOKS`` times in a row with
    ready messages, the consumer thread stops handing new messages to workers
    (they stay unacked: the broker hands them back when the connection
    closes), waits until the running workers have acked (at most
    ``RECYCLE_WAIT_SECONDS``), and drops the connection without a close
    handshake (the broker's channel may be the one that does not answer)."""

    def __init__(self):
        super().__init__()
        self._held = {}  # id(message) -> provider, for messages handed to workers
        self._last_delivery = {}  # provider -> time.monotonic()
        self._suspects = {}  # provider -> looks in a row with ready messages
        self._stuck = None  # why the connection is to be dropped
        self._stuck_since = None
        self._live = None  # the consumer thread's kombu connection
        self._probe_connection = None
        self._watcher = None
        self._stopping = False

    def start(self):
        super().start()
        if self._watcher is None:
            self._watcher = self.container.spawn_managed_thread(self._watch)

    def stop(self):
        self._stopping = True
        self._stop_watching()
        super().stop()

    def kill(self):
        self._stopping = True
        self._stop_watching()
        super().kill()

    def _stop_watching(self):
        if self._watcher is not None:
            self._watcher.kill()
        self._close_probe_connection()

    # --- the consumer thread -------------------------------------------------

    def get_consumers(self, consumer_cls, channel):
        # (Re)connected: a new channel, nothing held on it yet.
        now = time.monotonic()
        self._held.clear()
        self._suspects.clear()
        self._stuck = self._stuck_since = None
        self._last_delivery = {provider: now for provider in self._providers}
        return super().get_consumers(consumer_cls, channel)

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        self._live = connection
        super().on_consume_ready(connection, channel, consumers, **kwargs)

    def handle_message(self, provider, body, message):
        if self._stuck is not None and not isinstance(provider, ReplyListener):
            # Not started: the broker hands it back when the connection closes.
            # A reply is handed on: a running worker may be waiting for it, and
            # the connection is dropped only once running workers have acked.
            return
        self._held[id(message)] = provider
        self._last_delivery[provider] = time.monotonic()
        super().handle_message(provider, body, message)

    def ack_message(self, message):
        self._held.pop(id(message), None)
        super().ack_message(message)

    def requeue_message(self, message):
        self._held.pop(id(message), None)
        super().requeue_message(message)

    def on_iteration(self):
        super().on_iteration()
        if self._stuck is None or self._stopping:
            return
        if self._held and time.monotonic() - self._stuck_since < RECYCLE_WAIT_SECONDS:
            return
        log.warning("%s: dropping its broker connection and consuming again: %s",
                    self.container.service_name, self._stuck)
        live, self._live = self._live, None
        if live is not None:
            live.collect()  # the socket closed, no handshake
        raise ConsumerStuck(self._stuck)

    # --- the watching thread -------------------------------------------------

    def _watch(self):
        while not self._stopping:
            eventlet.sleep(PROBE_SECONDS)
            try:
                with eventlet.Timeout(PROBE_TIMEOUT_SECONDS):
                    self._look()
            except (eventlet.Timeout, Exception) as exc:  # never the service's end
                log.log(logging.DEBUG if isinstance(exc, (eventlet.Timeout, ChannelError,
                                                          *BROKER_ERRORS)) else logging.WARNING,
                        "%s: could not look at its queues: %r",
                        self.container.service_name, exc)
                self._close_probe_connection()

    def _look(self):
        if self._stuck is not None or self._stopping or not self._consumers_ready.ready():
            return
        now = time.monotonic()
        held = set(self._held.values())
        idle = [provider for provider in list(self._consumers)
                if provider not in held
                and now - self._last_delivery.get(provider, now) >= IDLE_SECONDS]
        for provider in list(self._suspects):
            if provider not in idle:
                del self._suspects[provider]
        for provider in idle:
            if self._has_ready(provider.queue.name) and \
                    self._last_delivery.get(provider, now) <= now - IDLE_SECONDS:
                self._suspects[provider] = self._suspects.get(provider, 0) + 1
            else:
                self._suspects.pop(provider, None)
        stuck = sorted(provider.queue.name for provider, looks in self._suspects.items()
                       if looks >= STUCK_LOOKS)
        if stuck:
            self._stuck_since = time.monotonic()
            self._stuck = (f"{', '.join(stuck)} had ready messages and delivered none to "
                           f"this idle consumer for {IDLE_SECONDS + PROBE_SECONDS:g}s or more")

    def _has_ready(self, queue):
        """Whether ``queue`` holds a message ready for a consumer."""
        channel = self._probe_channel()
        _, ready, consumers = channel.queue_declare(queue, passive=True)
        if ready or consumers:
            return ready > 0
        # No consumer counted on a queue this process consumes: RabbitMQ 3.10
        # answers 0 and 0 when it could not ask a quorum queue's leader within
        # 250 ms (a loaded or settling cluster), or it never registered the
        # consumer. Taking a message, and giving it back at once, tells.
        message = channel.basic_get(queue, no_ack=False)
        if message is None:
            return False
        channel.basic_reject(message.delivery_tag, requeue=True)
        return True

    def _probe_channel(self):
        if self._probe_connection is None:
            # The consumer's own connection options (ssl, login method, transport
            # options), without heartbeats: nothing here would send them, and the
            # broker would close the connection between looks.
            self._probe_connection = self.connection.clone(heartbeat=0)
            self._probe_connection.ensure_connection(max_retries=1)
        return self._probe_connection.default_channel

    def _close_probe_connection(self):
        connection, self._probe_connection = self._probe_connection, None
        if connection is not None:
            connection.collect()


# How many times a message is published before the publish fails, the second
# at once (after a connection lost to a dead node), and how long a reply (or a
# handler's retry or parked copy) waits for the broker's confirm.
PUBLISH_ATTEMPTS = 2
PUBLISH_RETRY_POLICY = {"max_retries": PUBLISH_ATTEMPTS - 1, "interval_start": 0,
                        "interval_step": 0, "interval_max": 0}
CONFIRM_SECONDS = 5.0
# What BoundedPublisher.publish passes on: kombu's Producer.publish arguments
# and the AMQP message properties py-amqp sends. kombu takes any other keyword
# for a message property, which py-amqp then leaves out of the frame: nameko's
# Publisher option ``use_confirms=False`` would be dropped without a word (this
# publisher always waits for the confirm: that is its bound). Refused instead.
PUBLISH_OPTIONS = frozenset(
    {name for name in inspect.signature(Producer.publish).parameters
     if name not in ("self", "body", "properties")}
    | {name for name, _ in AmqpMessage.PROPERTIES})


class BoundedPublisher:
    """What sends a reply, a handler's retry or parked copy, and a
    ``TimedRpcProxy``'s request: nameko's ``Publisher`` (the interface nameko's
    Responder and MethodProxy build it through) with bounds nameko's lacks.

    nameko's Publisher waits for the broker's confirm for ever, and retries 2,
    4 and 6 s apart. In a cluster test run an intake worker waited for good on
    the confirm of a reply routed to a quorum queue whose leader had just been
    lost, holding the request, so its consumer looked busy to the broker's eye
    and to ``WatchfulQueueConsumer``'s. Here a confirm that does not come
    within ``confirm_timeout`` (``CONFIRM_SECONDS``) fails the attempt (a
    socket timeout, one of BROKER_ERRORS), ``PUBLISH_ATTEMPTS`` are made (the
    second at once: kombu's ``ensure`` connects again between them), and a
    publish that fails drops its connection's socket (no close handshake)
    before the producer goes back to kombu's pool: the connection connects
    again on its next use. Else its channel, in confirm mode, would serve the
    next publish with the failed message's late ack still to come, and py-amqp
    takes any Basic.Ack as the confirm it waits for (``ensure`` drops the
    connection only between attempts, not after the last).

    Producers come from kombu's pool for the connection's options, the pool
    nameko's publishers share: a publisher is made per reply and per call, so
    the kombu Connection that names the pool (never connected itself: the
    pool connects clones of it) is made once per set of options
    (``_pool_key``), not per publisher: building one (parsing the URL) was a
    fifth of a reply's publish."""

    def __init__(self, amqp_uri, ssl=None, login_method=None, serializer=DEFAULT_SERIALIZER,
                 delivery_mode=PERSISTENT, expiration=None, confirm_timeout=CONFIRM_SECONDS,
                 retry_policy=PUBLISH_RETRY_POLICY):
        self.connection = _pool_key(amqp_uri, ssl, login_method)
        self.options = {"serializer": serializer, "delivery_mode": delivery_mode,
                        "expiration": expiration, "confirm_timeout": confirm_timeout,
                        "retry": True, "retry_policy": retry_policy}

    def publish(self, payload, headers=None, extra_headers=None, **options):
        """Publish ``payload`` (``options``: kombu's ``Producer.publish``'s);
        returns once the broker confirmed it. A ``mandatory`` message no queue
        takes raises nameko's UndeliverableMessage (a MethodProxy's
        UnknownService). An option neither kombu nor AMQP knows is a TypeError
        naming it, before anything is sent."""
        unknown = sorted(set(options) - PUBLISH_OPTIONS)
        if unknown:
            raise TypeError(f"BoundedPublisher.publish: {', '.join(unknown)} is neither a kombu "
                            "publish option nor an AMQP message property (it would be dropped "
                            "unsent); this publisher always waits for the broker's confirm")
        with producers[self.connection].acquire(block=True) as producer:
            try:
                producer.publish(payload, headers={**(headers or {}), **(extra_headers or {})},
                                 **{**self.options, **options})
            except BaseException as exc:
                # A cut publish (a green timeout) leaves half a frame read: dropped so too.
                producer.connection.collect()
                if isinstance(exc, KombuChannelError) and "NO_ROUTE" in str(exc):
                    raise UndeliverableMessage() from exc
                raise


_POOL_KEYS = {}


def _pool_key(amqp_uri, ssl, login_method):
    """The kombu Connection that names kombu's producer pool, made once per
    (URI, ssl, login method). kombu keys its pools by the URI's parts and the
    transport options only: two publishers on one URI that differ in ssl or
    login method share the pool made for the first (as before this cache;
    one process has one broker configuration)."""
    key = (amqp_uri, repr(ssl), login_method)
    connection = _POOL_KEYS.get(key)
    if connection is None:
        connection = _POOL_KEYS[key] = Connection(
            amqp_uri, ssl=ssl, login_method=login_method,
            transport_options={**DEFAULT_TRANSPORT_OPTIONS, "confirm_publish": True})
    return connection


class BoundedResponder(Responder):
    publisher_cls = BoundedPublisher


class ReliableRpcConsumer(RpcConsumer):
    """nameko's RpcConsumer on a WatchfulQueueConsumer, replying through a
    BoundedPublisher (its ``handle_result`` is nameko's, with that responder)."""

    queue_consumer = WatchfulQueueConsumer()

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = BoundedResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class WatchfulReplyListener(ReplyListener):
    queue_consumer = WatchfulQueueConsumer()


class ReliableRpc(Rpc):
    """nameko's ``rpc``, but a reply or ack lost with the broker leaves the
    request to be redelivered instead of killing the service."""

    rpc_consumer = ReliableRpcConsumer()

    def handle_result(self, message, worker_ctx, result, exc_info):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except BROKER_ERRORS as exc:
            log.warning("%s: broker connection lost before the reply (%r); "
                        "the request will be redelivered", worker_ctx, exc)
            requeue(self.rpc_consumer.queue_consumer, message)
            return result, exc_info


def in_transaction(method):
    """An RPC method written ``method(self, tx, ...)`` runs in a transaction
    of ``self.store`` that commits when it returns and rolls back when it
    raises; callers see only its other parameters. Every RPC decorator here
    (``rpc``, ``@staff_rpc``, ``@sealed_rpc``) applies it, so an entrypoint
    hands ``tx`` to its domain function, in one line when that is all it
    does (``forward``)::

        @rpc
        def get_case(self, tx, case_number):
            return views.get_case(tx, case_number, self.clocks.today())

    A method without ``tx`` after ``self`` is returned as it is: one that
    must call another service or hash a password before (or between)
    transactions opens them itself."""
    signature = inspect.signature(method)
    parameters = list(signature.parameters.values())
    if len(parameters) < 2 or parameters[1].name != "tx":
        return method

    @functools.wraps(method)
    def handed_a_transaction(self, *args, **kwargs):
        with self.store.transaction() as tx:
            return method(self, tx, *args, **kwargs)
    # What nameko checks a request's arguments against (inspect.getcallargs).
    handed_a_transaction.__signature__ = signature.replace(
        parameters=[parameters[0], *parameters[2:]])
    return handed_a_transaction


def rpc(method):
    return ReliableRpc.decorator(in_transaction(method))


def forward(function, *given, hidden=()):
    """The method of an entrypoint that only hands its transaction and the
    caller's arguments to the domain ``function(tx, ...)``, and the service's
    dependency of each name in ``given`` as ``function``'s parameter of that
    name; declared in one line, named for nameko as any entrypoint::

        units = rpc(forward(directory.units))
        lookup = rpc(forward(petitions.lookup, "settings"))
        scoreboard = rpc(forward(reports.scoreboard, hidden=("on",)))

    Callers see ``function``'s other parameters, with their names and
    defaults: nameko checks a request against them, as against a method's
    written out. ``hidden`` names the parameters callers must not set (a
    test's clock ``on`` or ``now``, a page ``limit``): they are not among
    what callers see, so nameko refuses a request that names them, and
    ``function`` always gets their defaults. An entrypoint that does more
    (another service asked first, a value computed, the arguments reordered
    or renamed) is written out."""
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    if not parameters or parameters[0].name != "tx":
        raise TypeError(f"{function.__qualname__}: takes no transaction first")
    if not set(given) <= set(signature.parameters) or any(
            p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
        raise TypeError(f"{function.__qualname__}: cannot be given {given} by name")
    # A hidden parameter is left to its default: one without a default, or
    # one the service gives, cannot be hidden.
    if any(name not in signature.parameters or name in given
           or signature.parameters[name].default is inspect.Parameter.empty for name in hidden):
        raise TypeError(f"{function.__qualname__}: cannot hide {hidden}, only parameters "
                        "with a default that the service does not give")
    public = signature.replace(parameters=[p for p in parameters
                                           if p.name not in given and p.name not in hidden])

    def forwarded(self, tx, *args, **kwargs):
        arguments = public.bind(tx, *args, **kwargs).arguments
        return function(**arguments, **{name: getattr(self, name) for name in given})
    forwarded.__signature__ = public.replace(parameters=[
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        *public.parameters.values()])
    # What a handler's log lines name (core/handlers.py), and the docs its callers read.
    forwarded.__name__ = forwarded.__qualname__ = function.__name__
    forwarded.__doc__ = function.__doc__
    return forwarded


class CheckedArgumentRpc(ReliableRpc):
    """An RPC whose argument named ``argument`` is checked before the worker
    starts and replaced by what ``check`` returns; what ``check`` raises goes
    back to the caller (a registered core.errors class), and the method never
    runs. The base of ``@staff_rpc`` (core.actors) and ``@sealed_rpc``
    (core.sealed): a method's code only ever sees checked values."""

    argument = None

    def setup(self):
        super().setup()
        if self.argument not in inspect.signature(self._method()).parameters:
            raise ConfigurationError(f"{self.method_name}: takes no `{self.argument}`")

    def check(self, value):
        raise NotImplementedError

    def handle_message(self, body, message):
        try:
            args, kwargs = body["args"], body["kwargs"]
        except (KeyError, TypeError):
            raise MalformedRequest("Message missing `args` or `kwargs`") from None
        self.check_signature(args, kwargs)
        bound = inspect.signature(self._method()).bind(None, *args, **kwargs)
        bound.arguments[self.argument] = self.check(bound.arguments[self.argument])
        super().handle_message({**body, "args": list(bound.args[1:]), "kwargs": bound.kwargs},
                               message)

    def _method(self):
        return getattr(self.container.service_cls, self.method_name)


class TimedRpcProxy(RpcProxy):
    """nameko's RpcProxy waits for a reply for ever: with a service down (its
    durable queue still there) or the broker away, the caller would hang.
    Every call here gives up after ``RPC_TIMEOUT_SECONDS`` (default 10) with
    ServiceUnavailable. The request message expires after the same time, so a
    service that comes back later does not start a request whose caller was
    already told it failed (one already started may still finish).

    ``idempotent`` names the methods that may run twice with the same
    arguments to the same effect (intake.submit: the submission id): a call of
    one that failed so is made once more, e.g. when a cluster node died under
    the request or its reply (deploy/cluster.py). Other calls fail at once.

    The request is not persistent: a persistent message to the service's
    durable queue is confirmed only once the broker has written it to disk
    (measured here: 7-14 ms at p50 against 0.3-0.5 ms for a transient one),
    and the disk copy would only serve after a broker restart, by when the
    request has expired and its caller has been answered. The publish is
    still confirmed (an unknown service is still told at once). On a
    cluster's quorum queues every message is kept on disk whatever its mode."""

    rpc_reply_listener = WatchfulReplyListener()

    def __init__(self, target_service, idempotent=(), **options):
        super().__init__(target_service, **options)
        self.idempotent = frozenset(idempotent)

    def setup(self):
        self.timeout = float(self.container.config.get("RPC_TIMEOUT_SECONDS", 10))
        self.options["expiration"] = self.timeout
        self.options["delivery_mode"] = NON_PERSISTENT
        # The publish is not cut by the call's green timeout (_TimedService),
        # so its own bounds keep the whole call near the timeout: two attempts
        # (one at once after a connection lost to a dead node), each waiting
        # at most half of it for the confirm. nameko's default, three retries
        # 2, 4 and 6 s apart each waiting the whole timeout, held a gateway
        # worker for about 50 s while a node was lost.
        self.options["confirm_timeout"] = self.timeout / PUBLISH_ATTEMPTS
        self.options["retry_policy"] = PUBLISH_RETRY_POLICY

    def get_dependency(self, worker_ctx):
        return self.service(worker_ctx, self.target_service)

    def service(self, worker_ctx, name):
        """``name``'s proxy for a worker (the target, or another deployment of
        it: services/gateway/dependencies.py), on this proxy's reply queue."""
        return _TimedService(_BoundedServiceProxy(worker_ctx, name, self.rpc_reply_listener,
                                                  **self.options),
                             name, self.timeout, self.idempotent)


class _BoundedMethodProxy(MethodProxy):
    publisher_cls = BoundedPublisher


class _BoundedServiceProxy(ServiceProxy):
    """nameko's ServiceProxy, its requests sent by a BoundedPublisher."""

    def __getattr__(self, name):
        return _BoundedMethodProxy(self.worker_ctx, self.service_name, name,
                                   self.reply_listener, **self.options)


class _TimedService:
    def __init__(self, proxy, name, timeout, idempotent):
        self._proxy, self._name, self._timeout = proxy, name, timeout
        self._idempotent = idempotent

    def __getattr__(self, method_name):
        method = getattr(self._proxy, method_name)
        attempts = 2 if method_name in self._idempotent else 1

        def call(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    return self._call_once(method, args, kwargs)
                except ServiceUnavailable as exc:
                    if attempt == attempts:
                        raise
                    log.warning("%s.%s: %s; calling once more", self._name, method_name, exc)
        return call

    def _call_once(self, method, args, kwargs):
        deadline = time.monotonic() + self._timeout
        try:
            # Only the wait for the reply is cut by the green timeout, never the
            # publish: a publish cut while py-amqp reads the broker's confirm
            # loses the part of the frame already read, and the pooled
            # connection it goes back to fails every later call made on it
            # (UnexpectedFrame, which kombu does not recover from). The publish
            # has its own bound, confirm_timeout (a socket timeout py-amqp
            # recovers from, set in setup).
            reply = method.call_async(*args, **kwargs)
            with eventlet.Timeout(max(deadline - time.monotonic(), 0)):
                return reply.result()
        except eventlet.Timeout:
            raise ServiceUnavailable(f"{self._name} did not answer in time; try again later")
        except (UnknownService, *BROKER_ERRORS):  # BROKER_ERRORS: the confirm's timeout too
            raise ServiceUnavailable(f"{self._name} is not reachable; try again later")
