"""The scenarios: each starts what it measures in a throw-away vhost and
temporary directory, measures, stops it, and returns its figures."""
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from bench import counts
from bench.load import closed_loop, open_loop, percentiles, timed
from bench.stacks import BenchStack, ChainStack
from bench.systems import Chain, Pipeline
from core.config import ROOT, STORED_SERVICES
from deploy.keys import local_secrets
from deploy.postgres import throwaway_database
from deploy.rabbitmq import throwaway_vhost
from deploy.stack import LIMITS_LIFTED, free_port

# --replicate's default: the service with the most CPU with one process of each
BUSIEST = "busiest"
# The bench submits thousands of petitions from one address and ID number.
QUIET = {"LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore", **LIMITS_LIFTED}


@contextmanager
def running(stack_class, seed_count=0, store="sqlite", var_dir=None):
    """A started stack (and its seeding time) in a vhost and directory of its
    own; with ``store`` "postgresql", each service on a throw-away database of
    its own on the local PostgreSQL instead of its SQLite file. ``var_dir``: a
    directory kept after the run instead (bench.lookup), seeded only once: a
    second run measures the same stores (seeding time None)."""
    with throwaway_vhost("bench") as amqp_uri, ExitStack() as directories, \
            ExitStack() as databases:
        var = var_dir or directories.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
        if var_dir and (Path(var_dir) / "seeded_codes.txt").exists():
            seed_count = 0
        env = {"AMQP_URI": amqp_uri, **QUIET, **local_secrets(Path(var) / "secrets.env")}
        if store == "postgresql":
            env.update({f"{name.upper()}_DB_URL": databases.enter_context(throwaway_database("bench"))
                        for name in STORED_SERVICES})
        stack = stack_class(var, env=env, port=free_port())
        seconds = None
        if stack_class is BenchStack:
            stack.prepare()
            if seed_count:
                started = time.monotonic()
                subprocess.run([sys.executable, "-m", "bench.seed", "--count", str(seed_count),
                                "--var", var], cwd=ROOT, env=stack.env, check=True)
                seconds = time.monotonic() - started
        try:
            stack.start_all()
            yield stack, seconds
        finally:
            stack.stop_all()


def measure(system, shape, timeout=300):
    """Run one load shape; wait until every accepted item passed the last hop."""
    system.new_run(shape_size(shape))
    before = system.completed()
    samples = shape(system.send)
    accepted = [s for s in samples if s.status in (200, 201)]
    deadline = time.monotonic() + timeout
    while (done := system.completed() - before) < len(accepted) and time.monotonic() < deadline:
        time.sleep(0.1)
    finished = time.time()
    arrived = system.arrivals(accepted)
    return {
        "sent": len(samples), "accepted": len(accepted), "done": done,
        "cases": [s.body["case_number"] for s in accepted if "case_number" in s.body],
        "routed": len(arrived),
        "throughput": done / (finished - min(s.sent for s in samples)),
        "latency": percentiles([arrived[s.index] - s.sent for s in accepted if s.index in arrived]),
        "http": percentiles([s.latency for s in accepted]),
    }


def shape_size(shape):
    """How many items a load shape (open_loop or closed_loop partial) sends."""
    kw = shape.keywords
    return kw["total"] if "total" in kw else int(kw["rate"] * kw["seconds"]) + 1


def shapes(quick):
    return {
        "fixed": partial(open_loop, rate=50, seconds=5 if quick else 20),
        "saturation": partial(closed_loop, total=200 if quick else 1000, clients=32),
    }


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds():
    """CPU seconds all cores have been busy so far (Linux /proc/stat)."""
    user, nice, system, idle, iowait, *rest = map(int, Path("/proc/stat").read_text().split()[1:11])
    return (user + nice + system + sum(rest)) / os.sysconf("SC_CLK_TCK")


def cpu_share(processes, run):
    """``run()``'s result, and each process's CPU use during it (1.0 = one
    core), with what the rest of the machine used meanwhile."""
    before = {name: cpu_seconds(pid) for name, pid in processes.items()}
    machine, started = machine_cpu_seconds(), time.monotonic()
    result = run()
    wall = time.monotonic() - started
    shares = {name: (cpu_seconds(pid) - before[name]) / wall for name, pid in processes.items()}
    shares["other processes on the machine"] = max(
        0.0, (machine_cpu_seconds() - machine) / wall - sum(shares.values()))
    return result, shares


def broker_and_bench():
    beam = subprocess.run(["rabbitmqctl", "-q", "eval", "os:getpid()."],
                          capture_output=True, text=True).stdout.strip().strip('"')
    return {"bench (load + RPC polling)": os.getpid(), **({"rabbitmq": int(beam)} if beam.isdigit() else {})}


def warm_up(system):
    measure(system, partial(closed_loop, total=10, clients=2))


@contextmanager
def warmed(stack_class, system_class, store="sqlite"):
    """A started stack and the system measured through it, warmed up; the
    system is closed and the stack stopped after."""
    with running(stack_class, store=store) as (stack, _):
        system = system_class(stack)
        try:
            warm_up(system)
            yield stack, system
        finally:
            system.close()


def processes_of(stack):
    """Whose CPU a run counts: the stack's processes, the broker and the bench."""
    return {**{n: p.pid for n, p in stack.processes.items()}, **broker_and_bench()}


def pipeline(quick, store="sqlite", overloaded=True, replicate=BUSIEST):
    """The pipeline at 50/s and at saturation with 1, 2 and 4 processes of
    the ``replicate`` service (BUSIEST: the one with the most CPU in the run
    with one process of each), with the counts that show each petition was
    handled once (bench/counts.py); with ``overloaded``, then twice the
    1-process saturation rate offered for a minute (``overload``)."""
    with warmed(BenchStack, Pipeline, store) as (stack, system):
        shape = shapes(quick)
        results = {"fixed": measure(system, shape["fixed"]),
                   "lookup": lookups(system, _codes(system, 200))}
        service = None if replicate == BUSIEST else replicate
        for processes in (1, 2, 4):
            if processes > 1:
                stack.add_replicas(service, processes)
            since = datetime.now(timezone.utc)
            run, cpu = cpu_share(processes_of(stack), partial(measure, system, shape["saturation"]))
            service = service or max(STORED_SERVICES, key=lambda name: cpu.get(name, 0))
            results[f"saturation x{processes}"], results[f"cpu x{processes}"] = run, cpu
            results[f"counts x{processes}"] = counts.handled(stack, since, run, service)
        results["replicated"] = service
        if overloaded:
            results["overload"] = overload(system, 2 * results["saturation x1"]["throughput"])
    return results


def overload(system, rate, seconds=60, timeout=1800):
    """``rate`` petitions/s offered (open loop) for ``seconds``: how many were
    accepted, how many of those are routed once the backlog is gone (each
    one's case read back: routed, not just counted), and how long after the
    last send the last one was routed."""
    shape = partial(open_loop, rate=rate, seconds=seconds)
    system.new_run(shape_size(shape))
    before = system.completed()
    samples = shape(system.send)
    offered_until = max(s.sent for s in samples)
    accepted = [s for s in samples if s.status in (200, 201)]
    deadline = time.monotonic() + timeout
    while system.completed() - before < len(accepted) and time.monotonic() < deadline:
        time.sleep(0.2)
    arrived = system.arrivals(accepted)
    return {"rate": rate, "seconds": seconds, "sent": len(samples), "accepted": len(accepted),
            "routed": len(arrived), "drain": max(arrived.values(), default=offered_until)
            - offered_until, "http": percentiles([s.latency for s in accepted])}


def _codes(system, count):
    """Query codes of petitions just submitted (their receipts)."""
    system.new_run(count)
    samples = closed_loop(system.send, count, 4)
    return [s.body["query_code"] for s in samples if s.status == 201]


def chain(quick):
    with warmed(ChainStack, Chain) as (stack, system):
        shape = shapes(quick)
        results = {"fixed": measure(system, shape["fixed"])}
        results["saturation"], results["cpu"] = cpu_share(
            processes_of(stack), partial(measure, system, shape["saturation"]))
    return results


def lookups(system, codes, requests=500):
    """GET /petitions/{code} latency, one client and four concurrent ones."""
    def get(index):
        return system.session.get(f"{system.url}/api/v1/petitions/{codes[index % len(codes)]}",
                                  timeout=60)
    _latency([timed(get, 0)])  # fail now rather than after every request timed out
    return {clients: _latency(closed_loop(get, requests, clients)) for clients in (1, 4)}


def _latency(samples):
    failed = [s for s in samples if s.status != 200]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(samples)} requests failed "
                           f"(e.g. HTTP {failed[0].status})")
    return percentiles([s.latency for s in samples])


def at_scale(count, quick):
    """Look-ups and work queues with ``count`` petitions in intake's and tracking's stores."""
    with running(BenchStack, seed_count=count) as (stack, seeding):
        system = Pipeline(stack)
        try:
            codes = (Path(stack.var_dir) / "seeded_codes.txt").read_text().split()
            random.Random(1).shuffle(codes)
            results = {"seed seconds": seeding, "lookup": lookups(system, codes)}
            for username in ("lixia_housing", "lixia_bureau", "city_bureau"):
                results[f"queue {username}"] = work_queue(system, username, 20 if quick else 50)
        finally:
            system.close()
    return results


def work_queue(system, username, requests):
    token = system.session.post(f"{system.url}/api/v1/auth/token", timeout=30, json={
        "username": username, "password": "petition-demo"}).json()["access_token"]

    def get(_):
        return system.session.get(f"{system.url}/api/v1/cases?limit=100", timeout=120,
                                  headers={"Authorization": f"Bearer {token}"})
    _latency([timed(get, 0)])
    return _latency(closed_loop(get, requests, 1))
