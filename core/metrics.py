"""Prometheus metrics, one home: every metric the services export is declared
here, and recorded where the thing happens. deploy/probes.py serves them on
each service's ``/metrics``.

- ``petition_worker_seconds`` (histogram) and ``petition_worker_total``
  (counter, by outcome): every worker (RPC request, HTTP request, event
  handler, timer), by service and entrypoint, recorded by ``WorkerMetrics``,
  a dependency each service class declares;
- ``petition_outbox_pending`` and ``petition_outbox_lag_seconds``: the outbox
  rows not yet published and the age of the oldest, read from the store at
  each scrape (``OutboxCollector``);
- ``petition_event_retries_total`` and ``petition_events_parked_total`` by
  handler queue (core.handlers);
- ``petition_events_unrouted_total`` by exchange: events no queue bound, set
  aside in the ``unrouted`` queue by the outbox relay (core.publish);
- ``petition_sms_total`` by outcome ``sent`` / ``failed`` (notify's sender);
- ``petition_cases_overdue_total``: overdue alerts raised (tracking's sweep).
"""
import time
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

WORKER_SECONDS = Histogram(
    "petition_worker_seconds", "Time a worker took, by entrypoint",
    ["service", "entrypoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
WORKERS = Counter("petition_worker", "Workers run, by entrypoint and outcome (ok, error)",
                  ["service", "entrypoint", "outcome"])
EVENT_RETRIES = Counter("petition_event_retries", "Failed event deliveries sent to retry",
                        ["queue"])
EVENTS_PARKED = Counter("petition_events_parked", "Events parked (retries spent or contract "
                        "broken)", ["queue"])
EVENTS_UNROUTED = Counter("petition_events_unrouted", "Events no queue bound, set aside in the "
                          "unrouted queue", ["exchange"])
SMS_DELIVERIES = Counter("petition_sms", "SMS delivery attempts, by outcome (sent, failed)", ["outcome"])
CASES_OVERDUE = Counter("petition_cases_overdue", "Overdue alerts raised by the sweep")


class WorkerMetrics(DependencyProvider):
    """Times every worker of the service it is declared on."""

    def setup(self):
        self.started = {}

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx, None)
        labels = (self.container.service_name, worker_ctx.entrypoint.method_name)
        if started is not None:
            WORKER_SECONDS.labels(*labels).observe(time.perf_counter() - started)
        WORKERS.labels(*labels, "ok" if exc_info is None else "error").inc()

    def worker_teardown(self, worker_ctx):
        self.started.pop(worker_ctx, None)


class OutboxCollector:
    """The outbox's depth and lag, read at scrape time: ``sessions`` of the
    service's store, ``outbox`` its model (core.store.OutboxMessage)."""

    def __init__(self, service, sessions, outbox):
        self.service, self.sessions, self.outbox = service, sessions, outbox

    def collect(self):
        with self.sessions() as session:
            pending, oldest = session.execute(
                select(func.count(), func.min(self.outbox.created_at))
                .where(self.outbox.published_at.is_(None))).one()
        if isinstance(oldest, str):  # SQLite's aggregate skips the column type
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=timezone.utc)
        depth = GaugeMetricFamily("petition_outbox_pending", "Outbox rows not yet published",
                                  labels=["service"])
        depth.add_metric([self.service], pending)
        lag = GaugeMetricFamily("petition_outbox_lag_seconds",
                                "Age of the oldest unpublished outbox row (0: none)",
                                labels=["service"])
        lag.add_metric([self.service], 0.0 if oldest is None else
                       (datetime.now(timezone.utc) - oldest).total_seconds())
        yield depth
        yield lag

