"""``make bench``: the petition pipeline against a bare nameko chain of the
same hops, on this machine's RabbitMQ, then query latency at scale.

    python -m bench [--quick] [--scale N] [--pipeline-only] [--replicate SERVICE]

Each system runs as separate ``nameko run`` processes in a throw-away vhost
and temporary directory, is loaded over HTTP on 127.0.0.1 at 50 requests/s
(open loop) and at saturation (32 clients, closed loop), and is stopped
afterwards. Prints one Markdown table (see README.md, Performance), then the
figures' timings at the same scale (bench/reports.py) and the similar-case
search's (bench/similar.py).
"""
import eventlet

eventlet.monkey_patch()  # before requests and kombu: the load is green threads

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from bench import report, scenarios  # noqa: E402
from bench import reports as reports_bench  # noqa: E402
from bench import similar as similar_bench  # noqa: E402
from core.config import STORED_SERVICES  # noqa: E402
from deploy.rabbitmq import ensure_rabbitmq  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="short runs (5 s at 50/s, 200 at saturation, 20,000 seeded)")
    parser.add_argument("--scale", type=int, help="petitions to seed (default 1,000,000)")
    parser.add_argument("--pipeline-only", action="store_true",
                        help="the chain and the pipelines only (no seeding, figures, similar cases)")
    parser.add_argument("--replicate", default=scenarios.BUSIEST,
                        choices=(scenarios.BUSIEST, *STORED_SERVICES),
                        help="the service run as 1, 2 and 4 processes (default: the one with the "
                             "most CPU with one process of each)")
    args = parser.parse_args(argv)
    count = args.scale or (20_000 if args.quick else 1_000_000)
    command = " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])])
    ensure_rabbitmq()
    started = time.monotonic()

    def step(what, run, *run_args):
        print(f"[{time.monotonic() - started:5.0f} s] {what} ...", file=sys.stderr, flush=True)
        return run(*run_args)

    chain = step("bare nameko chain", scenarios.chain, args.quick)
    pipeline = step(f"pipeline (1, 2 and 4 processes of {args.replicate}, then overload)",
                    scenarios.pipeline, args.quick, "sqlite", True, args.replicate)
    postgres = step(f"pipeline on PostgreSQL, a database per service (1, 2 and 4 processes of "
                    f"{args.replicate})", scenarios.pipeline, args.quick, "postgresql", False,
                    args.replicate)
    machine = f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    if args.pipeline_only:
        print(report.render(report.rows(pipeline, chain, None, count, postgres), command.strip(),
                            machine))
        return
    scale = step(f"seeding {count:,} petitions, then look-ups and work queues",
                 scenarios.at_scale, count, args.quick)
    figures = step(f"figures with {count:,} cases (reports' counters against per-case rows)",
                   reports_bench.run, count, 50 if args.quick else 200)
    similar = step(f"similar cases with {count:,} published cases", similar_bench.run,
                   count, 50 if args.quick else 200)
    print(report.render(report.rows(pipeline, chain, scale, count, postgres), command.strip(),
                        machine))
    print("\nFigures at scale (python -m bench.reports):\n" + "\n".join(figures))
    print("\nSimilar cases at scale (python -m bench.similar):\n" + "\n".join(similar))
    print(f"\n(took {time.monotonic() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
