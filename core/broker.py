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
"""
import functools
import inspect
import logging
import time

import eventlet
from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.constants import NON_PERSISTENT
from nameko.exceptions import ConfigurationError, MalformedRequest, UnknownService
from nameko.rpc import Rpc, RpcProxy, ServiceProxy

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


class ReliableRpc(Rpc):
    """nameko's ``rpc``, but a reply or ack lost with the broker leaves the
    request to be redelivered instead of killing the service."""

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
    is one line handing ``tx`` to its domain function::

        @rpc
        def units(self, tx):
            return directory.units(tx)

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


# How many times a timed RPC call's request is published before the call fails.
PUBLISH_ATTEMPTS = 2


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
        self.options["retry_policy"] = {"max_retries": PUBLISH_ATTEMPTS - 1, "interval_start": 0,
                                        "interval_step": 0, "interval_max": 0}

    def get_dependency(self, worker_ctx):
        return self.service(worker_ctx, self.target_service)

    def service(self, worker_ctx, name):
        """``name``'s proxy for a worker (the target, or another deployment of
        it: services/gateway/dependencies.py), on this proxy's reply queue."""
        return _TimedService(ServiceProxy(worker_ctx, name, self.rpc_reply_listener,
                                          **self.options), name, self.timeout, self.idempotent)


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
