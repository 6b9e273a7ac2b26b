"""A narrow before/after run for one change: the bare-nameko chain and the
pipeline (1 routing process) at saturation in the same run, their ratio, the
CPU per item of each process, and GET /petitions/{code} on fresh stores.

    python -m bench.ab [--total N] [--lookups N] [--profile SERVICE,...]

``--profile`` samples the named pipeline processes with py-spy during the
saturation run and writes their collapsed stacks (``--format raw``, the input
of flamegraph.pl or speedscope) to bench-profiles/, with a summary of the
functions where their time went.

Under a loaded machine only the ratios and back-to-back comparisons mean
anything; ``python -m bench`` is the full table.
"""
import eventlet

eventlet.monkey_patch()  # before requests and kombu: the load is green threads

import argparse  # noqa: E402
import collections  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

from bench import scenarios  # noqa: E402
from bench.load import closed_loop  # noqa: E402
from bench.stacks import BenchStack, ChainStack  # noqa: E402
from bench.systems import Chain, Pipeline  # noqa: E402
from deploy.rabbitmq import ensure_rabbitmq  # noqa: E402

PROFILES = Path("bench-profiles")


@contextmanager
def profiled(processes, names):
    """py-spy sampling each named process while the block runs."""
    PROFILES.mkdir(exist_ok=True)
    py_spy = Path(sys.executable).with_name("py-spy")
    spies = [subprocess.Popen(
        [str(py_spy), "record", "--pid", str(processes[name]), "--format", "raw", "--rate", "50",
         "--nonblocking", "--output", str(PROFILES / f"{name}.txt")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name in names]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=120)


def summary(name, top=12):
    """The functions a process's samples were in most (inclusive), and the
    frames they ended in (self), in % of its samples."""
    inclusive, own, samples = collections.Counter(), collections.Counter(), 0
    for line in (PROFILES / f"{name}.txt").read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not (count.isdigit() and stack):  # a frame's text ran over a line break
            continue
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1]
                  + ")" for f in stack.split(";") if f]
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    lines = [f"{name}: {samples} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines += [f"  {title}: " + "; ".join(
            f"{frame} {100 * n / samples:.0f}%" for frame, n in counter.most_common(top))]
    return "\n".join(lines)


def saturation(stack_class, system_class, total, lookups=0, profile=()):
    with scenarios.warmed(stack_class, system_class) as (stack, system):
        processes = scenarios.processes_of(stack)
        with profiled(processes, profile):
            result, cpu = scenarios.cpu_share(processes, partial(
                scenarios.measure, system, partial(closed_loop, total=total, clients=32)))
        if lookups:
            result["lookup"] = scenarios.lookups(system, scenarios._codes(system, 100), lookups)
    wall = result["done"] / result["throughput"]
    result["cpu ms per item"] = {name: 1000 * share * wall / result["done"]
                                 for name, share in cpu.items()}
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.ab")
    parser.add_argument("--total", type=int, default=300, help="items at saturation")
    parser.add_argument("--lookups", type=int, default=300, help="GET /petitions/{code} each")
    parser.add_argument("--profile", default="", help="pipeline services to sample with py-spy")
    args = parser.parse_args(argv)
    profile = [name for name in args.profile.split(",") if name]
    ensure_rabbitmq()
    chain = saturation(ChainStack, Chain, args.total)
    pipeline = saturation(BenchStack, Pipeline, args.total, args.lookups, profile)
    for name, result in (("bare nameko", chain), ("pipeline", pipeline)):
        cpu = ", ".join(f"{n} {ms:.1f}" for n, ms in sorted(
            result["cpu ms per item"].items(), key=lambda kv: -kv[1]))
        print(f"{name}: {result['throughput']:.1f} items/s, "
              f"latency p50/p99 {1000 * result['latency'][50]:.0f}/"
              f"{1000 * result['latency'][99]:.0f} ms; CPU ms per item: {cpu}")
    print(f"pipeline / bare nameko: {pipeline['throughput'] / chain['throughput']:.0%}")
    for clients, p in pipeline["lookup"].items():
        print(f"GET /petitions/{{code}}, {clients} client(s), p50/p95/p99 ms: "
              + " / ".join(f"{1000 * p[q]:.0f}" for q in (50, 95, 99)))
    for name in profile:
        print(summary(name))


if __name__ == "__main__":
    main()
