"""What the bench runs against: throw-away vhosts, the platform as
``deploy.local`` starts it (with extra routing processes), and the baseline
chain, each service its own ``nameko run`` process."""
import subprocess
import sys
import time

from core.config import ROOT
from deploy.local import STORED, LocalStack, rabbitmqctl

CHAIN = ("Front", "Relay", "Hop", "Sink")
ROUTING_QUEUE = "evt-intake-petition_submitted--routing.on_petition_submitted"


def consumers(amqp_uri, queue):
    vhost = amqp_uri.rsplit("/", 1)[1]
    for line in rabbitmqctl("list_queues", "-p", vhost, "name", "consumers").splitlines():
        name, _, count = line.rpartition("\t")
        if name == queue:
            return int(count)
    return 0


def wait_for_consumers(stack, queues, timeout=60):
    """Until each queue has its consumers: a service is up when it consumes
    (events sent before their queue exists are lost)."""
    deadline = time.monotonic() + timeout
    while any(consumers(stack.env["AMQP_URI"], queue) < n for queue, n in queues.items()):
        exited = [name for name, p in stack.processes.items() if p.poll() is not None]
        if exited or time.monotonic() > deadline:
            raise RuntimeError(f"{exited or 'services'} did not start; see the logs in {stack.var_dir}")
        time.sleep(0.3)


class BenchStack(LocalStack):
    """LocalStack keys processes by service name; extra routing processes
    are kept under ``routing-2``, ``routing-3`` ... (they share routing.log)."""

    def start_all(self):
        super().start_all()
        wait_for_consumers(self, {f"rpc-{name}": 1 for name in STORED})

    def add_routing(self, total):
        """Run ``total`` routing processes; returns once all of them consume."""
        while sum(name.startswith("routing") for name in self.processes) < total:
            key = f"routing-{len([n for n in self.processes if n.startswith('routing')]) + 1}"
            self.processes[key] = self.processes.pop("routing")
            self.start("routing")
        wait_for_consumers(self, {ROUTING_QUEUE: total})


class ChainStack(LocalStack):
    """The baseline chain (bench/chain.py) on the same process management."""

    def start(self, name):
        log = open(self.var_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", str(ROOT / "bench/chain.yaml"),
             f"bench.chain:{name}"],
            cwd=ROOT, env={**self.env, "WEB_SERVER_ADDRESS": f"127.0.0.1:{self.port}"},
            stdout=log, stderr=subprocess.STDOUT)

    def start_all(self):
        for name in CHAIN:
            self.start(name)
        wait_for_consumers(self, {"rpc-chain_relay": 1, "rpc-chain_sink": 1,
                                  "evt-chain_relay-forwarded--chain_hop.on_forwarded": 1,
                                  "evt-chain_hop-passed--chain_sink.on_passed": 1})
