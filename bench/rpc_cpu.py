"""The CPU one RPC call costs the service that answers it: nameko's worker
life (every dependency's get_dependency, worker_setup, worker_result and
worker_teardown), the request's ack and the reply's confirmed publish, around
a method that does almost nothing (rating's ``get`` of a case it has no
rating for: one prebuilt SELECT on an empty SQLite store); ``--service
chain_sink``: bare nameko's for comparison (bench/chain.py's sink).

    python -m bench.rpc_cpu [--service rating] [--calls 2000] [--rounds 2] [--profile]

The service runs as it runs in the platform (``python -m deploy.serve``,
``LOG_LEVEL=WARNING``) on this machine's RabbitMQ in a throw-away vhost, its
store in a temporary directory; this process calls it ``--calls`` times, one
call at a time, and reads the service process's CPU (``/proc``) before and
after: CPU ms per call. Run the code before and after back to back.
``--profile`` samples the service with py-spy meanwhile (bench.ab's:
bench-profiles/SERVICE.txt, its summary printed); ``--cprofile FILE`` runs
the service under cProfile timed by its CPU (time.process_time; greenlet
switches blur the cumulative figures, not the functions' own)."""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy

from bench.ab import profiled, summary
from bench.scenarios import cpu_seconds
from core.config import ROOT
from deploy.rabbitmq import ensure_rabbitmq, throwaway_vhost

# What each service is asked (a cheap read its store answers at once).
CALLS = {"rating": ("get", ("R-00000000-0000",)),
         "tracking": ("status_counts", ()),
         # bare nameko (bench/chain.py's sink, nameko's own rpc): the floor
         "chain_sink": ("arrivals", ("none",))}


PROFILED_SERVE = """
import cProfile, runpy, sys, time
profile = cProfile.Profile(time.process_time)
sys.argv = ["deploy.serve", sys.argv[1]]
profile.enable()
try:
    runpy.run_module("deploy.serve", run_name="__main__")
finally:
    profile.disable()
    profile.dump_stats(OUT)
"""


def system_seconds(pid):
    """The kernel's part of cpu_seconds (system calls: the sockets' sends and
    receives, epoll)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[12]) / os.sysconf("SC_CLK_TCK")


def serve(service, amqp_uri, directory, cprofile=None):
    env = {**os.environ, "AMQP_URI": amqp_uri, "LOG_LEVEL": "WARNING",
           f"{service.upper()}_DB_URL": f"sqlite:///{directory}/{service}.db"}
    if service == "chain_sink":
        return subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config",
                                 str(ROOT / "bench/chain.yaml"), "bench.chain:Sink"],
                                env=env, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "deploy.migrate", service], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    if cprofile:
        code = PROFILED_SERVE.replace("OUT", repr(os.path.abspath(cprofile)))
        return subprocess.Popen([sys.executable, "-c", code, service], env=env, cwd=ROOT)
    return subprocess.Popen([sys.executable, "-m", "deploy.serve", service], env=env, cwd=ROOT)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.rpc_cpu")
    parser.add_argument("--service", default="rating", choices=sorted(CALLS))
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="py-spy the service meanwhile")
    parser.add_argument("--cprofile", help="the service's cProfile (by CPU) to this file")
    args = parser.parse_args(argv)
    method, arguments = CALLS[args.service]
    ensure_rabbitmq()
    with throwaway_vhost("bench", service_users=False) as amqp_uri, \
            tempfile.TemporaryDirectory() as directory:
        process = serve(args.service, amqp_uri, directory, args.cprofile)
        try:
            with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as cluster:
                call = getattr(getattr(cluster, args.service), method)
                for _ in range(100):  # the service up, its caches and connections warm
                    try:
                        call(*arguments)
                    except Exception:
                        time.sleep(0.2)
                for round_ in range(1, args.rounds + 1):
                    before, mine = cpu_seconds(process.pid), time.process_time()
                    kernel = system_seconds(process.pid)
                    with profiled({args.service: process.pid},
                                  [args.service] if args.profile else []):
                        for _ in range(args.calls):
                            call(*arguments)
                    service_ms = (cpu_seconds(process.pid) - before) * 1000 / args.calls
                    kernel_ms = (system_seconds(process.pid) - kernel) * 1000 / args.calls
                    caller_ms = (time.process_time() - mine) * 1000 / args.calls
                    print(f"round {round_}: {args.calls} calls of {args.service}.{method}, CPU ms "
                          f"per call: the service {service_ms:.3f} (of it in the kernel {kernel_ms:.3f}; the caller {caller_ms:.3f}); "
                          f"load average {os.getloadavg()[0]:.1f}", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    if args.profile:
        print(summary(args.service, top=25))


if __name__ == "__main__":
    main()
