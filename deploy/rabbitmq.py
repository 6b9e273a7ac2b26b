"""The local RabbitMQ: start it if it is not running, run ``rabbitmqctl``,
and give tests and benchmarks a throw-away vhost of their own."""
import json
import os
import subprocess
import tempfile
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
def throwaway_vhost(prefix="test", queue_type=None, service_users=True):
    """A vhost of its own on the local RabbitMQ, deleted afterwards (tests and
    benchmarks: nothing they publish meets anyone else's queues); its queues
    are of ``queue_type`` (e.g. ``quorum``) unless declared otherwise. With
    ``service_users`` false, nothing run on it makes service users named after
    it (no stack, or the tests' stacks, whose users are the run's: tests/stack.py):
    there are none to look for when it is deleted."""
    vhost = f"{prefix}-{uuid.uuid4().hex[:12]}"
    # The vhost and guest's permissions in one rabbitmqctl command (each starts
    # an Erlang VM: a second or more, and most of a short test's time).
    import_definitions(rabbitmqctl, {
        "vhosts": [{"name": vhost, "metadata": {"default_queue_type": queue_type}
                    if queue_type else {}}],
        "permissions": [{"user": "guest", "vhost": vhost, "configure": ".*", "write": ".*",
                         "read": ".*"}]})
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)
        if service_users:
            # The stack's service users, if it made any. Imported here: broker_users
            # reads every service class, which a plain throw-away vhost does not need.
            from deploy.broker_users import delete_users
            delete_users(rabbitmqctl, prefix=vhost)


def rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                          text=True).stdout


def import_definitions(ctl, definitions):
    """Users, vhosts, permissions ... (RabbitMQ's definitions format) in one
    ``rabbitmqctl import_definitions``; what exists is updated. The file is
    read by rabbitmqctl as the broker's user: an absolute path, readable."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "definitions.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(definitions, f)
        os.chmod(folder, 0o755)
        os.chmod(path, 0o644)
        ctl("import_definitions", path)


def queue_consumers(amqp_uri, queues):
    """``{queue: its consumers}`` on the vhost of ``amqp_uri`` (a
    ``;``-separated list of a cluster's nodes: any one answers), 0 for a queue
    not declared yet. A passive declare over AMQP, not ``rabbitmqctl
    list_queues``: a stack's start polls this, and each rabbitmqctl starts an
    Erlang VM."""
    from amqp.exceptions import NotFound
    from kombu import Connection

    counts = {}
    with Connection(amqp_uri, connect_timeout=10) as connection:
        connection.ensure_connection(max_retries=3)  # tries each node's URL in turn
        for queue in queues:
            channel = connection.channel()
            try:
                counts[queue] = channel.queue_declare(queue=queue, passive=True).consumer_count
            except NotFound:  # the broker closed the channel
                counts[queue] = 0
            else:
                channel.close()
    return counts
