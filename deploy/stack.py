"""The services as separate processes (``nameko run``), on SQLite stores
under one directory: what ``make run`` starts, and what the end-to-end tests
and benchmarks start on a throw-away vhost."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from core.config import ROOT, SERVICES, STORED_SERVICES, config_path
from deploy.rabbitmq import queue_consumers
from deploy.services import service_path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStack:
    """The services as separate processes, on stores under ``var_dir``."""

    def __init__(self, var_dir, env=None, port=8000):
        self.var_dir = Path(var_dir)
        self.port = port
        self.env = {**os.environ, **{
            f"{s.upper()}_DB_URL": f"sqlite:///{self.var_dir}/{s}.db" for s in STORED_SERVICES},
            "SMS_LOG_PATH": str(self.var_dir / "sms.log"),
            "GATEWAY_ADDRESS": f"127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore::DeprecationWarning",
            **(env or {})}
        self.processes = {}

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def prepare(self):
        self._python("-m", "deploy.migrate")
        self._python("-m", "services.routing.seed")
        self._python("-m", "deploy.topology")

    def _python(self, *args):
        subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    def start(self, name, replica=None):
        """Start a service; ``replica`` names a further process of the same
        service (it shares the queues and the store), e.g. ``"tracking-2"``."""
        log = open(self.var_dir / f"{replica or name}.log", "ab")
        self.processes[replica or name] = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", str(config_path(name)),
             service_path(name)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_all(self):
        for name in SERVICES:
            self.start(name)
        self.wait_until_ready()

    def wait_until_ready(self, timeout=60):
        """Until every started service consumes its RPC queue and the gateway
        answers: a service that has not started consuming would make the
        gateway's first calls fail."""
        services = [name for name in self.processes if name in STORED_SERVICES]
        self.wait_for_consumers({f"rpc-{name}": 1 for name in services}, timeout)
        if "gateway" in self.processes:
            self._wait(self._gateway_answers, timeout)

    def wait_for_consumers(self, queues, timeout=60):
        """Until each queue has at least its number of consumers."""
        self._wait(lambda: all(self.consumers(queue) >= n for queue, n in queues.items()),
                   timeout)

    def consumers(self, queue):
        return queue_consumers(
            self.env.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"), queue)

    def _gateway_answers(self):
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                return True
        except OSError:
            return False

    def _wait(self, ready, timeout):
        deadline = time.monotonic() + timeout
        while not ready():
            exited = [name for name, p in self.processes.items() if p.poll() is not None]
            if exited:
                raise RuntimeError(f"{', '.join(exited)} exited; see the logs in {self.var_dir}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the services did not start in time; see {self.var_dir}")
            time.sleep(0.3)

    def stop(self, name, sig=signal.SIGTERM):
        self._stop([name], sig)

    def stop_all(self):
        # Together: each takes a few seconds to finish its running workers.
        self._stop(list(self.processes), signal.SIGTERM)

    def _stop(self, names, sig):
        processes = [self.processes.pop(name) for name in names]
        for process in processes:
            process.send_signal(sig)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
