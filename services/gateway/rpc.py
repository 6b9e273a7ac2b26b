"""RPC to the services, with a deadline.

nameko's RpcProxy waits for a reply for ever: with a service down or the
broker away, a citizen's request would hang. Here every call gives up after
``RPC_TIMEOUT_SECONDS`` (default 10) and answers 503, which tells the client
the request may be tried again. The request message expires after the same
time, so a service that comes back later does not carry out a request whose
caller was already told it failed."""
import eventlet
from kombu.exceptions import OperationalError
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from core.errors import ServiceUnavailable


class TimedRpcProxy(RpcProxy):
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
