"""The services as separate processes (``python -m deploy.serve``), on SQLite stores
under one directory, behind the front (nginx, deploy/front.py), each service
on the broker as its own user (deploy/broker_users.py): what ``make run``
starts, and what the end-to-end tests and benchmarks start on a throw-away
vhost."""
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from core.areas import deployment_name
from core.config import ROOT, STOP_GRACE_SECONDS, STORED_SERVICES
from deploy.broker_users import ensure_users, service_uri
from deploy.front import Front
from deploy.rabbitmq import queue_consumers, rabbitmqctl
from deploy.services import deployed_services

# The flood limits lifted, for stacks that submit hundreds of petitions from
# one address and one ID number on purpose: the test stacks and the bench
# (tests/security runs with the shipped limits). Variables of intake's and the
# front's config.
LIMITS_LIFTED = {
    **{var: "[1000000, 60]" for var in (
        "LIMIT_CODE_PER_PHONE", "LIMIT_CODE_PER_PHONE_DAY", "LIMIT_CODE_PER_ID_NUMBER",
        "LIMIT_CODE_PER_ADDRESS", "PETITIONS_PER_ID_NUMBER_PER_DAY",
        "LIMIT_PETITIONS_PER_ADDRESS")},
    "FRONT_CONNECTIONS_PER_CLIENT": "4096",
}


@dataclass
class SharedUsers:
    """One set of service users for many stacks (the test suite's), each on a
    vhost of its own: made (and given that vhost's permissions) by each stack's
    prepare, with the same passwords; deleted once, by the stacks' owner
    (deploy.broker_users.delete_users with ``prefix``). Deleting a user is a
    rabbitmqctl command, an Erlang VM, of its own: ten or more per stack."""

    prefix: str
    passwords: dict = field(default_factory=dict)  # {service: password}


# How long a stack's processes may take to serve: nine of them importing at
# once took over a minute on two cores at load ~20 (`make run` beside other
# work, or the test suite), and `make run` gave up after 60 s.
START_TIMEOUT = 180


# Why not the port the system picks (bind to 0): it comes from the ephemeral
# range, where the system hands a port just let go (a test server stopped and
# started again on its port) to the next process asking, and two stacks' or
# tests' servers then met on one port. A random free port below that range is
# handed out by nothing but this.
# A port is handed out once per process: two asked for in a row (a service's
# health port and the next one's) are bound only later, by their processes.
FREE_PORTS = range(20000, 32000)
_handed_out = set()


def free_port():
    """A loopback port nothing listens on now, drawn at random from FREE_PORTS,
    never one this process was given before."""
    while True:
        port = secrets.choice(FREE_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


class LocalStack:
    """The services as separate processes, on stores under ``var_dir``; the
    public ``port`` is nginx's (deploy/front.py), the gateway listens behind
    it on a loopback port of its own."""

    def __init__(self, var_dir, env=None, port=8000, gateway_port=None, ctl=rabbitmqctl,
                 users=None):
        self.var_dir = Path(var_dir)
        self.ctl = ctl  # rabbitmqctl on the broker of AMQP_URI (deploy.cluster: its own)
        # The services' broker users (prepare): named after the vhost outside
        # the default one, so that stacks never share users; or ``users``
        # (SharedUsers), one set for many stacks, each on a vhost of its own.
        self.users = users
        self.port = port
        self.gateway_port = gateway_port or free_port()
        self.env = {**os.environ, **{
            f"{s.upper()}_DB_URL": f"sqlite:///{self.var_dir}/{s}.db" for s in STORED_SERVICES},
            "SMS_LOG_PATH": str(self.var_dir / "sms.log"),
            # A developer's receivers run on this machine (never in production).
            "WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "ATTACHMENT_DIR": str(self.var_dir / "attachments"),
            "GATEWAY_ADDRESS": f"127.0.0.1:{self.gateway_port}",
            "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore::DeprecationWarning",
            **(env or {})}
        self.processes = {}
        self.service_uris = {}  # each service's own broker user (prepare)
        # Each process's /livez, /readyz and /metrics (deploy/probes.py); kept
        # across restarts.
        self.health_ports = {}
        # A county's deployment (COUNTY_CODE, core/areas.py): only its own
        # routing and tracking, named <service>_<county>, on its own stores.
        self.county = self.env.get("COUNTY_CODE") or None

    @property
    def base_amqp_uri(self):
        return self.env.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")

    @property
    def vhost(self):
        return self.base_amqp_uri.rsplit("/", 1)[1] or "/"

    @property
    def url(self):
        """Where clients go: the front."""
        return f"http://127.0.0.1:{self.port}"

    def prepare(self):
        self._python("-m", "deploy.prepare", "--demo")
        # One broker user per service (deploy/broker_users.py).
        prefix = self.users.prefix if self.users else \
            "petition" if self.vhost == "/" else self.vhost
        users = ensure_users(self.ctl, self.vhost, prefix, county=self.county,
                             passwords=self.users.passwords if self.users else None)
        if self.users:
            self.users.passwords.update({name: password for name, (_, password) in users.items()})
        self.service_uris = {name: service_uri(self.base_amqp_uri, user, password)
                             for name, (user, password) in users.items()}

    def _python(self, *args):
        subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    def start(self, name, replica=None):
        """Start a service; ``replica`` names a further process of the same
        service (it shares the queues and the store), e.g. ``"tracking-2"``.
        ``"front"`` is nginx, started with the gateway."""
        if name == "front":
            self.processes["front"] = Front(
                self.var_dir / "front", f"127.0.0.1:{self.port}",
                f"127.0.0.1:{self.gateway_port}", self.var_dir, self.env).start()
            return
        log = open(self.var_dir / f"{replica or name}.log", "ab")
        port = self.health_ports.setdefault(replica or name, free_port())
        bus_name = deployment_name(name, self.county)  # deploy.serve reads COUNTY_CODE
        env = {**self.env, "AMQP_URI": self.service_uris.get(bus_name, self.base_amqp_uri),
               "HEALTH_PORT": f"127.0.0.1:{port}"}
        self.processes[replica or name] = subprocess.Popen(
            [sys.executable, "-m", "deploy.serve", name],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        if name == "gateway" and "front" not in self.processes:
            # Clients reach the gateway only through the front.
            self.start("front")

    def metrics_url(self, name):
        return f"http://127.0.0.1:{self.health_ports[name]}/metrics"

    def start_all(self, timeout=START_TIMEOUT):
        for name in deployed_services(self.county):
            self.start(name)
        self.wait_until_ready(timeout)

    def wait_until_ready(self, timeout=START_TIMEOUT):
        """Until every started service consumes its RPC queue and the gateway
        answers: a service that has not started consuming would make the
        gateway's first calls fail."""
        services = [name for name in self.processes if name in STORED_SERVICES]
        self.wait_for_consumers(
            {f"rpc-{deployment_name(name, self.county)}": 1 for name in services}, timeout)
        if "gateway" in self.processes:
            self._wait(self._gateway_answers, timeout)

    def wait_for_consumers(self, queues, timeout=START_TIMEOUT):
        """Until each queue has at least its number of consumers; on time out
        the error names the queues still short of them."""
        short = dict(queues)

        def enough():
            counts = queue_consumers(self.base_amqp_uri, queues)
            short.clear()
            short.update({q: n for q, n in queues.items() if counts[q] < n})
            return not short
        self._wait(enough, timeout, lambda: f"not consuming yet: {', '.join(sorted(short))}")

    def _gateway_answers(self):
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                return True
        except OSError:
            return False

    def _wait(self, ready, timeout, waiting_for=lambda: "the gateway's /healthz"):
        deadline = time.monotonic() + timeout
        while not ready():
            exited = [name for name, p in self.processes.items() if p.poll() is not None]
            if exited:
                raise RuntimeError(f"{', '.join(exited)} exited; see the logs in {self.var_dir}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the services did not start in {timeout} s ({waiting_for()});"
                                   f" see the logs in {self.var_dir}")
            time.sleep(0.3)

    def stop(self, name, sig=signal.SIGTERM):
        self._stop([name], sig)

    def stop_all(self):
        # The front and the gateway first, so that no request in flight waits
        # on a service that has stopped; then the services together (each
        # takes a few seconds to finish its running workers).
        first = [name for name in ("front", "gateway") if name in self.processes]
        self._stop(first, signal.SIGTERM)
        self._stop(list(self.processes), signal.SIGTERM)

    def _stop(self, names, sig):
        processes = [self.processes.pop(name) for name in names]
        for process in processes:
            process.send_signal(sig)
        for process in processes:
            try:
                # deploy.serve kills a service that outlasts its grace period
                process.wait(timeout=STOP_GRACE_SECONDS + 10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
