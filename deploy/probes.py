"""Each service's own HTTP port for the orchestrator and Prometheus
(``HEALTH_PORT``; deploy.serve starts it, off when unset):

- ``/livez``: the service's container runs and its consumer thread is alive
  (a process stuck there is restarted; nothing outside it is checked, so a
  broker outage does not restart every pod);
- ``/readyz``: it consumes its queues (every entrypoint's consumer is
  registered, and the broker counts a consumer on its RPC queue) and reaches
  its database (``SELECT 1``): 200, or 503 with the failed check named;
- ``/metrics``: Prometheus text (core/metrics.py), with the outbox's depth and
  lag read from the store at each scrape.
"""
import json
import logging

import eventlet
from eventlet import wsgi
from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.messaging import QueueConsumer
from nameko.rpc import Rpc
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text

from core.metrics import OutboxCollector
from core.store import OutboxMessage, Store

log = logging.getLogger(__name__)
BROKER_CHECK_SECONDS = 3


class Checks:
    """What the probes look at in one running service container."""

    def __init__(self, container):
        self.container = container
        self.name = container.service_name
        self.stores = [d for d in container.dependencies if isinstance(d, Store)]
        self.has_rpc = any(isinstance(e, Rpc) for e in container.entrypoints)

    def consumers(self):
        return [e for e in self.container.subextensions if isinstance(e, QueueConsumer)]

    def alive(self):
        if self.container._died.ready():
            return "the container has stopped"
        for consumer in self.consumers():
            if consumer._gt is not None and consumer._gt.dead:
                return "the consumer thread has died"
        return None

    def ready(self):
        failed = self.alive()
        if failed:
            return failed
        for consumer in self.consumers():
            if not consumer._consumers_ready.ready() or \
                    len(consumer._consumers) < len(consumer._providers):
                return "not consuming all its queues"
        for store in self.stores:
            try:
                with store.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except Exception as exc:  # any failure means not ready
                return f"database unreachable: {type(exc).__name__}"
        return self._broker()

    def _broker(self):
        try:
            with Connection(self.container.config[AMQP_URI_CONFIG_KEY],
                            connect_timeout=BROKER_CHECK_SECONDS) as connection:
                connection.ensure_connection(max_retries=1)
                if self.has_rpc:
                    _, _, consumers = connection.default_channel.queue_declare(
                        f"rpc-{self.name}", passive=True)
                    if consumers < 1:
                        return f"no consumer on rpc-{self.name}"
        except Exception as exc:
            return f"broker unreachable: {type(exc).__name__}"
        return None


def application(checks):
    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest(REGISTRY)]
        if path in ("/livez", "/readyz"):
            failed = checks.alive() if path == "/livez" else checks.ready()
            status = "503 Service Unavailable" if failed else "200 OK"
            body = {"service": checks.name, "status": "fail" if failed else "ok",
                    **({"reason": failed} if failed else {})}
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"error": "not_found"}']
    return app


def serve_probes(container, port, host="0.0.0.0"):
    """Start the probe server for ``container`` in a green thread; the socket."""
    checks = Checks(container)
    for store in checks.stores:
        REGISTRY.register(OutboxCollector(checks.name, store.sessions, OutboxMessage))
    sock = eventlet.listen((host, port))
    eventlet.spawn_n(wsgi.server, sock, application(checks), log_output=False)
    log.info("%s: /livez /readyz /metrics on port %d", checks.name, sock.getsockname()[1])
    return sock
