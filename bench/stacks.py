"""What the bench runs against: throw-away vhosts, the platform as
``deploy.stack`` starts it (with extra routing processes), and the baseline
chain, each service its own ``nameko run`` process."""
import subprocess
import sys

from core.config import ROOT
from deploy.stack import LocalStack

CHAIN = ("Front", "Relay", "Hop", "Sink")


class BenchStack(LocalStack):
    """LocalStack keys processes by service name; further processes of a
    service are kept under ``routing-2``, ``routing-3`` ... (deploy.stack's
    replicas: the same queues and store, a log of their own)."""

    def add_replicas(self, service, total):
        """Run ``total`` processes of ``service``; returns once all of them
        consume its RPC queue (every stored service has one)."""
        while (running := len(self.replicas(service))) < total:
            self.start(service, replica=f"{service}-{running + 1}")
        self.wait_for_consumers({f"rpc-{service}": total})

    def replicas(self, service):
        """The names of ``service``'s processes: itself and its replicas."""
        return [n for n in self.processes if n == service or n.startswith(f"{service}-")]


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
        self.wait_for_consumers({"rpc-chain_relay": 1, "rpc-chain_sink": 1,
                                 "evt-chain_relay-forwarded--chain_hop.on_forwarded": 1,
                                 "evt-chain_hop-passed--chain_sink.on_passed": 1})
