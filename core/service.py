"""What every service class of the platform declares, declared once: a
service class derives from one of these (nameko finds the dependencies of
base classes too), then names its own store, settings and entrypoints.

- ``Service``: each worker counted and timed (core/metrics.py), and its log
  lines carrying the request's correlation id (core/logs.py).
- ``StaffService``: a service with ``@staff_rpc`` entrypoints; each of their
  workers first asks whether the account is still as signed (core/actors.py).
"""
from core.actors import StaffAccounts
from core.logs import Correlation
from core.metrics import WorkerMetrics


class Service:
    metrics = WorkerMetrics()
    correlation = Correlation()


class StaffService(Service):
    staff_accounts = StaffAccounts()
