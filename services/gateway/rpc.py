"""RPC to the services, with a deadline.

nameko's RpcProxy waits for a reply for ever: with a service down or the
broker away, a citizen's request would hang. Here every call gives up after
``RPC_TIMEOUT_SECONDS`` (default 10) and answers 503, which tells the client
the request may be tried again."""
import eventlet
from kombu.exceptions import OperationalError
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from core.errors import ServiceUnavailable


class TimedRpcProxy(RpcProxy):
    def get_dependency(self, worker_ctx):
        timeout = float(self.container.config.get("RPC_TIMEOUT_SECONDS", 10))
        return _TimedService(super().get_dependency(worker_ctx), self.target_service, timeout)


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
