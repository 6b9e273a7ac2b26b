"""What a lost broker connection looks like, and the entrypoints that survive it.

When RabbitMQ goes away while a worker is finishing, its ack or reply meets a
dead socket: a plain ``ConnectionResetError`` or ``BrokenPipeError``, which
nameko 2.14 does not catch (it expects amqp's own ``ConnectionError``). The
exception escapes the worker, nameko kills the container, and ``nameko run``
exits. Swallowing it is safe: the message was not acked, so the broker
redelivers it once the consumer reconnects, and every handler here is
idempotent (the inbox for events, the submission id for intake.submit).
"""
import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.rpc import Rpc

log = logging.getLogger(__name__)

BROKER_ERRORS = (OSError, OperationalError, AmqpConnectionError)


class Rpc(Rpc):
    """nameko's ``rpc``, but a reply or ack lost with the broker leaves the
    request to be redelivered instead of killing the service."""

    def handle_result(self, message, worker_ctx, result, exc_info):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except BROKER_ERRORS as exc:
            log.warning("%s: broker connection lost before the reply (%r); "
                        "the request will be redelivered", worker_ctx, exc)
            return result, exc_info


rpc = Rpc.decorator
