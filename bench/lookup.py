"""Query by code at scale, alone: ``GET /api/v1/petitions/{code}`` for random
seeded codes, 1 client then 4, on stores seeded once and kept, so that two
versions of the code are measured back to back on the same rows.

    python -m bench.lookup --var DIR [--count 1000000] [--requests 500] [--profile gateway,...]

The first run on DIR seeds it (``bench.seed``, minutes at 1,000,000); a later
run reuses it. Delete DIR when done. ``--profile`` samples the named
processes with py-spy during the look-ups (bench.ab's: bench-profiles/)."""
import eventlet

# Before requests: each client is a green thread (bench.load). Unpatched, the
# "four clients" sent their requests one at a time, as one client does.
eventlet.monkey_patch()

import argparse  # noqa: E402
import random  # noqa: E402
from pathlib import Path  # noqa: E402

from bench.ab import profiled, summary  # noqa: E402
from bench.report import pct  # noqa: E402
from bench.scenarios import cpu_seconds, lookups, processes_of, running  # noqa: E402
from bench.stacks import BenchStack  # noqa: E402
from bench.systems import Pipeline  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.lookup")
    parser.add_argument("--var", required=True, help="the stores' directory, kept after the run")
    parser.add_argument("--count", type=int, default=1_000_000, help="petitions to seed, once")
    parser.add_argument("--requests", type=int, default=500, help="look-ups per client count")
    parser.add_argument("--profile", default="", help="processes to sample with py-spy")
    args = parser.parse_args(argv)
    profile = [name for name in args.profile.split(",") if name]
    Path(args.var).mkdir(parents=True, exist_ok=True)
    with running(BenchStack, seed_count=args.count, var_dir=args.var) as (stack, seeding):
        system = Pipeline(stack)
        try:
            codes = (Path(args.var) / "seeded_codes.txt").read_text().split()
            random.Random(1).shuffle(codes)
            processes = processes_of(stack)
            before = {name: cpu_seconds(pid) for name, pid in processes.items()}
            with profiled(processes, profile):
                results = lookups(system, codes, args.requests)
            # CPU per look-up (both client counts, and the one first request):
            # less swayed than latency by what else runs on the machine
            cpu = {name: (cpu_seconds(pid) - before[name]) / (2 * args.requests + 1)
                   for name, pid in processes.items()}
            platform = set(stack.processes)  # the broker is shared: not in their sum
        finally:
            system.close()
    if seeding is not None:
        print(f"seeded {args.count:,} petitions in {seeding:.0f} s")
    print("CPU ms per look-up: " + ", ".join(
        f"{name} {seconds * 1000:.1f}" for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1])
        if seconds >= 0.00005) + "; the platform's processes in all "
        f"{sum(cpu[name] for name in platform) * 1000:.1f}")
    for clients, latency in results.items():
        print(f"GET /petitions/{{code}}, {clients} client(s), p50/p95/p99 ms: {pct(latency)}")
    for name in profile:
        print(summary(name))


if __name__ == "__main__":
    main()
