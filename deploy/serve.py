"""Run one service as a process: ``python -m deploy.serve NAME`` (what the
local runner, the test stacks and the container image start).

It is ``nameko run`` with a shutdown an orchestrator can rely on. nameko's
own SIGTERM handler starts a graceful stop on *every* signal it receives; a
second signal while the first stop runs (Kubernetes, or a process group's
SIGTERM followed by the runner's own, or Ctrl-C followed by the runner's
SIGTERM) makes two stops unregister the same consumers, and the process then
hangs for good. Here:

- SIGTERM and SIGINT start one graceful stop; a later signal only says that
  the stop is under way. Entrypoints stop taking work, running workers finish
  (their transactions commit and their messages are acked), then the
  dependencies stop (the outbox relay ends its batch).
- If the stop takes longer than ``STOP_GRACE_SECONDS`` (environment, default
  core.config.STOP_GRACE_SECONDS; keep it below the pod's
  ``terminationGracePeriodSeconds``, core.config.POD_GRACE_SECONDS), the service is killed (``KILL_SECONDS`` later, the process
  exits at once): a worker still running has not committed and its message is
  not acked, so the broker hands it to another replica or to the next start.
  Every handler is idempotent (core.handlers), so nothing is lost or done twice.

``HEALTH_PORT`` (``[host:]port``) serves /livez, /readyz and /metrics
(deploy/probes.py).

SIGUSR2 logs the stack of every green thread (WARNING, one line each): what
each worker, the consumer and the relay are waiting on, for a service that
runs but takes no work (``kill -USR2 PID``; the service goes on).
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (before anything imports sockets)

import errno  # noqa: E402
import gc  # noqa: E402
import logging  # noqa: E402
import logging.config  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

import greenlet  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

from core.config import SERVICES, STOP_GRACE_SECONDS, load_config  # noqa: E402
from deploy.probes import serve_probes  # noqa: E402
from deploy.services import service_class, this_county  # noqa: E402

# After the kill began: a broker too slow to close the connections does not hold the exit.
KILL_SECONDS = 5.0


def stop_grace_seconds():
    return float(os.environ.get("STOP_GRACE_SECONDS", STOP_GRACE_SECONDS))


class GracefulRunner:
    """A nameko ServiceRunner stopped once, however many signals arrive, and
    killed if the stop outlasts the grace period."""

    def __init__(self, name, config, grace_seconds):
        self.name = name
        self.grace_seconds = grace_seconds
        self.runner = ServiceRunner(config)
        self.runner.add_service(service_class(name, this_county()))
        self.stopping_since = None
        # Made after the LOGGING config: dictConfig disables loggers made before it.
        self.log = logging.getLogger("deploy.serve")

    def on_signal(self, signum, _frame):
        # Runs in the main loop, where eventlet primitives cannot be used.
        if self.stopping_since is None:
            self.stopping_since = time.monotonic()
            eventlet.spawn_n(self._stop, signal.Signals(signum).name)
        else:
            eventlet.spawn_n(self.log.info, "%s: already stopping (%s again)", self.name,
                             signal.Signals(signum).name)

    def on_dump(self, _signum, _frame):
        eventlet.spawn_n(self._dump)

    def _dump(self):
        stacks = green_stacks()
        for n, stack in enumerate(stacks, 1):
            self.log.warning("%s: green thread %d of %d:\n%s", self.name, n, len(stacks), stack)

    def _stop(self, signame):
        self.log.info("%s: %s received; finishing what it holds (at most %gs)", self.name,
                 signame, self.grace_seconds)
        deadline = eventlet.spawn_after(self.grace_seconds, self._kill)
        self.runner.stop()
        deadline.cancel()
        self.log.info("%s: stopped in %.1fs", self.name, time.monotonic() - self.stopping_since)

    def _kill(self):
        self.log.warning("%s: not stopped after %gs; killing it (unacked messages go back to "
                         "the broker); what it was waiting on:", self.name, self.grace_seconds)
        self._dump()
        eventlet.spawn_after(KILL_SECONDS, os._exit, 1)
        self.runner.kill()

    def run(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.on_signal)
        signal.signal(signal.SIGUSR2, self.on_dump)
        self.runner.start()
        if os.environ.get("HEALTH_PORT"):
            host, _, port = os.environ["HEALTH_PORT"].rpartition(":")
            (container,) = self.runner.containers
            serve_probes(container, int(port), host or "0.0.0.0")
        # As nameko run: a signal arriving while the main greenlet waits on a
        # socket interrupts the wait (EINTR); wait again.
        runnlet = eventlet.spawn(self.runner.wait)
        while True:
            try:
                return runnlet.wait()
            except OSError as exc:
                if exc.errno != errno.EINTR:
                    raise


def green_stacks():
    """The stack of every green thread that is waiting somewhere (the one
    running this is among them)."""
    return ["".join(traceback.format_stack(g.gr_frame)) for g in gc.get_objects()
            if isinstance(g, greenlet.greenlet) and g.gr_frame is not None]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in SERVICES:
        sys.exit(f"usage: python -m deploy.serve {{{'|'.join(SERVICES)}}}")
    name = argv[0]
    config = load_config(name)
    if "LOGGING" in config:
        # Loggers made while importing (core.broker's, kombu's and nameko's, which
        # say when the broker is lost and a consumer reconnects) keep logging.
        logging.config.dictConfig({"disable_existing_loggers": False, **config["LOGGING"]})
    GracefulRunner(name, config, stop_grace_seconds()).run()


if __name__ == "__main__":
    main()
