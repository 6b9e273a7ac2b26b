"""The local RabbitMQ: start it if it is not running, run ``rabbitmqctl``,
and give tests and benchmarks a throw-away vhost of their own."""
import subprocess
import time
import uuid
from contextlib import contextmanager


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


def queue_consumers(amqp_uri, queue):
    """How many consumers ``queue`` has on the vhost of ``amqp_uri``."""
    vhost = amqp_uri.rsplit("/", 1)[1]
    for line in rabbitmqctl("list_queues", "-p", vhost or "/", "name",
                            "consumers").splitlines():
        name, _, count = line.rpartition("\t")
        if name == queue:
            return int(count)
    return 0
