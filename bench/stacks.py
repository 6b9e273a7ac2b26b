"""What the bench runs against: throw-away vhosts, the platform as
``deploy.stack`` starts it (with extra routing processes), and the baseline
chain, each service its own ``nameko run`` process."""
import subprocess
import sys

from core.config import ROOT
from deploy.stack import LocalStack

CHAIN = ("Front", "Relay", "Hop", "Sink")
ROUTING_QUEUE = "evt-intake-petition_submitted--routing.on_petition_submitted"


class BenchStack(LocalStack):
    """LocalStack keys processes by service name; extra routing processes
    are kept under ``routing-2``, ``routing-3`` ... (they share routing.log)."""

    def add_routing(self, total):
        """Run ``total`` routing processes; returns once all of them consume."""
        while sum(name.startswith("routing") for name in self.processes) < total:
            key = f"routing-{len([n for n in self.processes if n.startswith('routing')]) + 1}"
            self.processes[key] = self.processes.pop("routing")
            self.start("routing")
        self.wait_for_consumers({ROUTING_QUEUE: total})


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
