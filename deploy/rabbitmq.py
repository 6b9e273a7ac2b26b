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
def throwaway_vhost(prefix="test", queue_type=None):
    """A vhost of its own on the local RabbitMQ, deleted afterwards (tests and
    benchmarks: nothing they publish meets anyone else's queues); its queues
    are of ``queue_type`` (e.g. ``quorum``) unless declared otherwise."""
    vhost = f"{prefix}-{uuid.uuid4().hex[:12]}"
    rabbitmqctl("add_vhost", vhost, *(("--default-queue-type", queue_type) if queue_type else ()))
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)
        # The stack's service users, if it made any. Imported here: broker_users
        # reads every service class, which a plain throw-away vhost does not need.
        from deploy.broker_users import delete_users
        delete_users(rabbitmqctl, prefix=vhost)


def rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                          text=True).stdout


def queue_consumers(amqp_uri, queue, ctl=rabbitmqctl):
    """How many consumers ``queue`` has on the vhost of ``amqp_uri`` (a
    ``;``-separated list of nodes is one cluster: one vhost); ``ctl`` runs
    rabbitmqctl on its broker (default: the local one)."""
    vhost = amqp_uri.rsplit("/", 1)[1]
    for line in ctl("list_queues", "-p", vhost or "/", "name",
                    "consumers").splitlines():
        name, _, count = line.rpartition("\t")
        if name == queue:
            return int(count)
    return 0
