"""Living with the broker's failures: RPC entrypoints that survive a lost
connection, and RPC calls that give up in time.

When RabbitMQ goes away while a worker is finishing, its ack or reply meets a
dead socket: a plain ``ConnectionResetError`` or ``BrokenPipeError``, which
nameko 2.14 does not catch (it expects amqp's own ``ConnectionError``). The
exception escapes the worker, nameko kills the container, and ``nameko run``
exits. Swallowing it is safe: the message was not acked, so the broker
redelivers it once the consumer reconnects, and every handler here is
idempotent (the inbox for events, the submission id for intake.submit).
"""
import logging

import eventlet
from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.exceptions import UnknownService
from nameko.rpc import Rpc, RpcProxy

from core.errors import ServiceUnavailable

log = logging.getLogger(__name__)

BROKER_ERRORS = (OSError, OperationalError, AmqpConnectionError)


class ReliableRpc(Rpc):
    """nameko's ``rpc``, but a reply or ack lost with the broker leaves the
    request to be redelivered instead of killing the service."""

    def handle_result(self, message, worker_ctx, result, exc_info):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except BROKER_ERRORS as exc:
            log.warning("%s: broker connection lost before the reply (%r); "
                        "the request will be redelivered", worker_ctx, exc)
            return result, exc_info


rpc = ReliableRpc.decorator


class TimedRpcProxy(RpcProxy):
    """nameko's RpcProxy waits for a reply for ever: with a service down (its
    durable queue still there) or the broker away, the caller would hang.
    Every call here gives up after ``RPC_TIMEOUT_SECONDS`` (default 10) with
    ServiceUnavailable. The request message expires after the same time, so a
    service that comes back later does not start a request whose caller was
    already told it failed (one already started may still finish)."""

    def setup(self):
        self.timeout = float(self.container.config.get("RPC_TIMEOUT_SECONDS", 10))
        self.options["expiration"] = self.timeout

    def get_dependency(self, worker_ctx):
        return _TimedService(super().get_dependency(worker_ctx), self.target_service,
                             self.timeout)


class _TimedService:
    def __init__(self, proxy, name, timeout):
        self._proxy, self._name, self._timeout = proxy, name, timeout

    def __getattr__(self, method_name):
        method = getattr(self._proxy, method_name)

        def call(*args, **kwargs):
            try:
                with eventlet.Timeout(self._timeout):
                    return method(*args, **kwargs)
            except eventlet.Timeout:
                raise ServiceUnavailable(f"{self._name} did not answer in time; try again later")
            except (UnknownService, OperationalError, ConnectionError):
                raise ServiceUnavailable(f"{self._name} is not reachable; try again later")
        return call
