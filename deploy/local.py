"""Run the whole platform on this machine: each service its own process,
SQLite stores under ``var/``, the local RabbitMQ. ``make run`` calls this;
the end-to-end tests use ``LocalStack`` to start the same processes.

Steps: make sure RabbitMQ answers, create local secrets once, migrate every
store, seed the directory and demo users, declare the broker topology, start
the services, wait until the gateway answers. Ctrl-C stops everything.
"""
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet

from core.config import ROOT, config_path, load_config
from deploy.services import SERVICES
from services.routing.directory_seed import DEMO_STAFF

STORED = ("intake", "routing", "tracking", "rating", "notify")


def ensure_rabbitmq():
    if subprocess.run(["rabbitmqctl", "-q", "status"], capture_output=True).returncode == 0:
        return
    print("RabbitMQ is not answering; starting it")
    subprocess.run(["rabbitmq-server", "-detached"], check=True)
    subprocess.run(["rabbitmqctl", "-q", "wait", "--timeout", "60", "--pid", _rabbit_pid()],
                   check=True)


def _rabbit_pid():
    for _ in range(100):
        out = subprocess.run(["pgrep", "-f", "beam.*rabbit"], capture_output=True, text=True)
        if out.stdout.strip():
            return out.stdout.split()[0]
        time.sleep(0.2)
    raise RuntimeError("RabbitMQ did not start")


@contextmanager
def throwaway_vhost(prefix="test"):
    """A vhost of its own on the local RabbitMQ, deleted afterwards (tests and
    benchmarks: nothing they publish meets anyone else's queues)."""
    vhost = f"{prefix}-{uuid.uuid4().hex[:12]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)


def rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                          text=True).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_secrets(path):
    """Keys for a developer's machine, made once and kept in ``var/``."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in {
            "ID_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "CONTACT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "HASH_KEY": secrets.token_hex(32),
            "TOKEN_SECRET": secrets.token_hex(32),
        }.items()))
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text().split())


class LocalStack:
    """The services as separate processes, on stores under ``var_dir``."""

    def __init__(self, var_dir, env=None, port=8000):
        self.var_dir = Path(var_dir)
        self.port = port
        self.env = {**os.environ, **{
            f"{s.upper()}_DB_URL": f"sqlite:///{self.var_dir}/{s}.db" for s in STORED},
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
             SERVICES[name]],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_all(self):
        for name in SERVICES:
            self.start(name)
        self.wait_until_ready()

    def wait_until_ready(self, timeout=60):
        """Until every started service consumes its RPC queue and the gateway
        answers: a service that has not started consuming would make the
        gateway's first calls fail."""
        services = [name for name in self.processes if name in STORED]
        self.wait_for_consumers({f"rpc-{name}": 1 for name in services}, timeout)
        if "gateway" in self.processes:
            self._wait(self._gateway_answers, timeout)

    def wait_for_consumers(self, queues, timeout=60):
        """Until each queue has at least its number of consumers."""
        self._wait(lambda: all(self.consumers(queue) >= n for queue, n in queues.items()),
                   timeout)

    def consumers(self, queue):
        vhost = self.env.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/").rsplit("/", 1)[1]
        for line in rabbitmqctl("list_queues", "-p", vhost or "/", "name",
                                "consumers").splitlines():
            name, _, count = line.rpartition("\t")
            if name == queue:
                return int(count)
        return 0

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


def main():
    ensure_rabbitmq()
    var_dir = ROOT / "var"
    stack = LocalStack(var_dir, env=local_secrets(var_dir / "secrets.env"))
    print("migrating the stores, seeding the directory, declaring the topology ...")
    stack.prepare()
    print("starting intake, routing, tracking, rating, notify and the gateway ...")
    stack.start_all()
    print(f"""
The online petition platform is running.
  Citizens' page     {stack.url}/
  API (OpenAPI)      {stack.url}/api/v1/openapi.json
  SMS a citizen gets {var_dir / 'sms.log'}
  Service logs       {var_dir}/<service>.log
  Staff demo logins  {', '.join(DEMO_STAFF)}; password: {load_config("routing")["DEMO_PASSWORD"]}
                     (POST {stack.url}/api/v1/auth/token)
Press Ctrl-C to stop.""", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        print("a service exited; stopping the others (see the logs in var/)")
    except KeyboardInterrupt:
        print("\nstopping ...")
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
