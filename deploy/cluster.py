"""A RabbitMQ cluster of several nodes on this machine, beside the system
broker: for the fault test that kills a node (tests/faults/test_cluster.py)
and for a developer who wants to try the platform on a cluster.

Every node has its own name (``pc1-<id>@localhost``), AMQP and distribution
ports, Erlang cookie (a ``HOME`` of the cluster's own), data, log, pid and
config files, all under one directory; no plugin is enabled (no management
port). The real scripts in /usr/lib/rabbitmq/bin are run: the /usr/sbin
wrappers switch to the rabbitmq user and its cookie, and the system
rabbitmq-env.conf forces the system node's name. The system broker
(rabbit@localhost, 5672) is never touched.

    python -m deploy.cluster DIR [--nodes 3]   # start one, print its AMQP_URI, Ctrl-C stops it

The vhost it makes is created with ``--default-queue-type quorum``: every
durable queue declared in it (services', handlers', retry and parked queues)
is a quorum queue replicated on every node.
"""
import argparse
import os
import secrets
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from deploy.stack import free_port

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
START_TIMEOUT = 120


class Node:
    def __init__(self, root, name, port, dist_port):
        self.name, self.port, self.dist_port = name, port, dist_port
        self.dir = Path(root) / name.split("@")[0]
        self.process = None

    @property
    def pid_file(self):
        return self.dir / "rabbit.pid"

    def env(self, home):
        return {**os.environ, "HOME": str(home),
                "RABBITMQ_NODENAME": self.name,
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS":
                    "-kernel inet_dist_use_interface {127,0,0,1}",
                "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.dir / "log"),
                "RABBITMQ_PID_FILE": str(self.pid_file),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
                "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
                "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.dir / "advanced.config")}

    def write_files(self):
        (self.dir / "log").mkdir(parents=True, exist_ok=True)
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq-env.conf").write_text("")
        (self.dir / "advanced.config").write_text("[].\n")
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            "loopback_users = none\n")

    def pid(self):
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None


class LocalCluster:
    """``size`` RabbitMQ nodes under ``root``, joined into one cluster, with a
    quorum-default vhost and an admin user: ``amqp_uri`` lists every node
    (kombu failover: ``amqp://u:p@127.0.0.1:P1/vh;amqp://u:p@127.0.0.1:P2/vh;...``)."""

    def __init__(self, root, size=3, vhost="petition"):
        self.root = Path(root)
        self.id = secrets.token_hex(3)
        self.home = self.root / "home"
        self.vhost = vhost
        self.user, self.password = "admin", secrets.token_hex(12)
        self.nodes = [Node(self.root, f"pc{i + 1}-{self.id}@localhost", free_port(), free_port())
                      for i in range(size)]

    # --- lifecycle -------------------------------------------------------------

    def start(self):
        self.home.mkdir(parents=True, exist_ok=True)
        cookie = self.home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(16).upper())
        cookie.chmod(0o400)
        for node in self.nodes:
            node.write_files()
            self._start_node(node)
        for node in self.nodes:
            self.wait(node)
        first = self.nodes[0]
        for node in self.nodes[1:]:
            self.ctl(node, "stop_app")
            self.ctl(node, "join_cluster", first.name)
            self.ctl(node, "start_app")
        self.ctl(first, "add_vhost", self.vhost, "--default-queue-type", "quorum")
        self.ctl(first, "add_user", self.user, self.password)
        self.ctl(first, "set_user_tags", self.user, "administrator")
        self.ctl(first, "set_permissions", "-p", self.vhost, self.user, ".*", ".*", ".*")
        return self

    def _start_node(self, node):
        log = open(node.dir / "server.out", "ab")
        node.process = subprocess.Popen([str(RABBITMQ_BIN / "rabbitmq-server")],
                                        env=node.env(self.home), stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)

    def wait(self, node, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while not _port_open(node.port):
            if node.process.poll() is not None:
                raise RuntimeError(f"{node.name} exited; see {node.dir}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{node.name} did not start in {timeout}s; see {node.dir}")
            time.sleep(0.3)
        self.ctl(node, "await_startup", "--timeout", str(timeout))

    def kill(self, node):
        """kill -9 the node's Erlang VM (what a machine crash looks like)."""
        pid = node.pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
        node.process.wait(timeout=30)

    def stop(self):
        """Stop every node this cluster started (and nothing else)."""
        for node in self.nodes:
            if node.process is None or node.process.poll() is not None:
                continue
            try:
                self.ctl(node, "stop", timeout=60)
                node.process.wait(timeout=60)
            except (subprocess.SubprocessError, RuntimeError):
                self.kill(node)
        # epmd forgets a node's name when it goes; the cookie and data stay
        # under root, which the caller removes.

    # --- commands ---------------------------------------------------------------

    def ctl(self, node, *args, timeout=120):
        """``rabbitmqctl -n NODE ...`` with the cluster's cookie; its stdout."""
        try:
            result = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-q", "-n", node.name,
                                     *args], env=node.env(self.home), capture_output=True,
                                    text=True, timeout=timeout)
        except subprocess.TimeoutExpired:  # a node too busy to answer, as an error is
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {node.name}: "
                               f"no answer in {timeout}s") from None
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {node.name}: "
                               f"{result.stderr.strip() or result.stdout.strip()}")
        return result.stdout

    def ctl_any(self, *args, **kwargs):
        """A command on the first node that is up (one may have been killed)."""
        for node in self.live_nodes():
            return self.ctl(node, *args, **kwargs)
        raise RuntimeError("no node of the cluster is running")

    def live_nodes(self):
        return [n for n in self.nodes if n.process is not None and n.process.poll() is None]

    def node_named(self, name):
        return next(n for n in self.nodes if n.name == name)

    # --- addresses --------------------------------------------------------------

    def uri(self, user=None, password=None, vhost=None, nodes=None):
        """Every node's URL, ``;``-separated: kombu tries them in turn."""
        user, password = user or self.user, password or self.password
        vhost = self.vhost if vhost is None else vhost
        return ";".join(f"amqp://{user}:{password}@127.0.0.1:{n.port}/{vhost}"
                        for n in (nodes or self.nodes))

    @property
    def amqp_uri(self):
        return self.uri()

    # --- queues -----------------------------------------------------------------

    def queues(self, *fields, vhost=None):
        """Rows of ``list_queues`` (as dicts) of the vhost, from a live node."""
        import json
        out = self.ctl_any("list_queues", "-p", vhost or self.vhost, "--formatter", "json",
                           *fields)
        return json.loads(out or "[]")

    def queue_consumers(self, queue):
        for row in self.queues("name", "consumers"):
            if row["name"] == queue:
                return int(row["consumers"])
        return 0


def _port_open(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def local_cluster(root, size=3, vhost="petition"):
    cluster = LocalCluster(root, size, vhost)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", help="where the nodes keep their data, logs and cookie")
    parser.add_argument("--nodes", type=int, default=3)
    args = parser.parse_args()
    with local_cluster(args.dir, args.nodes) as cluster:
        print(f"AMQP_URI={cluster.amqp_uri}", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
