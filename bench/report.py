"""One table with every figure, as Markdown (pasted as is into README.md)."""

TARGETS = "targets: pipeline >= 50% of bare nameko at saturation (SQLite and PostgreSQL); " \
          "p99 submit->routed < 250 ms at 50/s; query-by-code p99 < 20 ms (1 client) and " \
          "< 50 ms (4 clients) at 1,000,000 petitions; overload: nothing lost, drain time"


def ms(value):
    return "n/a" if value is None else f"{value * 1000:.0f}"


def pct(points):
    return " / ".join(ms(points[p]) for p in (50, 95, 99))


def _run_rows(label, run):
    complete = "" if run["done"] == run["accepted"] else f" ({run['done']} of {run['accepted']} done)"
    return [
        (label, "throughput, items/s through the last hop", f"{run['throughput']:.1f}{complete}"),
        (label, "submit -> last hop p50/p95/p99, ms", pct(run["latency"])),
        (label, "HTTP response p50/p95/p99, ms", pct(run["http"])),
    ]


def _cpu_row(label, cpu):
    busiest = sorted(cpu.items(), key=lambda kv: -kv[1])
    return (label, "CPU during the run (1.0 = one core)",
            ", ".join(f"{name} {share:.2f}" for name, share in busiest))


def _replica_rows(label, service, run, cpu, counts):
    """CPU per routed petition of the replicated service's processes and of
    the whole pipeline (its processes and the broker: not PostgreSQL's, which
    fall in "other processes"), and bench/counts.py's proof."""
    ours = sum(share for name, share in cpu.items() if name == service or name.startswith(f"{service}-"))
    pipeline = sum(share for name, share in cpu.items()
                   if name not in ("other processes on the machine", "bench (load + RPC polling)"))
    per = run["throughput"] or float("nan")
    twice = sum(counts["twice"].values())
    return [
        (label, f"CPU ms per routed petition: {service}'s processes / the pipeline's",
         f"{ours / per * 1000:.1f} / {pipeline / per * 1000:.1f}"),
        (label, "accepted / routed (read back) / skipped; work done twice (events emitted twice for one case)",
         f"{counts['accepted']} / {counts['routed']} / {counts['skipped']}; {twice}"
         + ("" if not twice else " (" + ", ".join(
             f"{name} {n}" for name, n in counts["twice"].items() if n) + ")")),
        (label, f"{service}'s inbox rows for the run's {counts['events']} events, per handler",
         ", ".join(f"{handler} {n}" for handler, n in sorted(counts["inbox"].items())) or "none"),
    ]


def _pipeline_rows(name, pipeline, chain):
    """One pipeline's rows (``name``: "pipeline", "pipeline on PostgreSQL"),
    its throughput as a share of the chain's in the same run."""
    table = _run_rows(f"{name}, 50/s offered", pipeline["fixed"])
    service = pipeline["replicated"]
    for processes in (1, 2, 4):
        label = f"{name}, saturation, {processes} {service}"
        run = pipeline[f"saturation x{processes}"]
        table += _run_rows(label, run)
        table.append(_cpu_row(label, pipeline[f"cpu x{processes}"]))
        table += _replica_rows(label, service, run, pipeline[f"cpu x{processes}"],
                               pipeline[f"counts x{processes}"])
    baseline = chain["saturation"]["throughput"]
    for processes in (1, 2, 4):
        ratio = pipeline[f"saturation x{processes}"]["throughput"] / baseline
        table.append((f"{name} / bare nameko", f"saturation throughput, {processes} {service}",
                      f"{ratio:.0%}"))
    table.append((f"{name} / bare nameko", "throughput at 50/s offered",
                  f"{pipeline['fixed']['throughput'] / chain['fixed']['throughput']:.0%}"))
    for clients, points in pipeline["lookup"].items():
        table.append((f"{name}, fresh stores",
                      f"GET /petitions/{{code}}, {clients} client(s), p50/p95/p99 ms", pct(points)))
    if "overload" in pipeline:
        run = pipeline["overload"]
        label = f"{name}, overload ({run['rate']:.1f}/s = twice saturation, {run['seconds']} s)"
        table.append((label, "sent / accepted / routed",
                      f"{run['sent']} / {run['accepted']} / {run['routed']}"
                      + ("" if run["routed"] == run["accepted"] else
                         f" ({run['accepted'] - run['routed']} accepted and not routed)")))
        table.append((label, "backlog drained, s after the last send", f"{run['drain']:.0f}"))
        table.append((label, "HTTP response p50/p95/p99, ms", pct(run["http"])))
    return table


def rows(pipeline, chain, scale, count, postgres=None):
    table = []
    table += _run_rows("bare nameko, 50/s offered", chain["fixed"])
    table += _run_rows("bare nameko, saturation", chain["saturation"])
    table.append(_cpu_row("bare nameko, saturation", chain["cpu"]))
    table += _pipeline_rows("pipeline", pipeline, chain)
    if postgres:
        table += _pipeline_rows("pipeline on PostgreSQL", postgres, chain)
    if scale:
        table += _scale_rows(scale, count)
    return table


def _scale_rows(scale, count):
    table = []
    scale_label = f"{count:,} petitions"
    table.append((scale_label, "bulk seeding (python -m bench.seed)",
                  f"{scale['seed seconds']:.0f} s ({count / scale['seed seconds']:,.0f} petitions/s)"))
    for clients, points in scale["lookup"].items():
        table.append((scale_label, f"GET /petitions/{{code}}, {clients} client(s), p50/p95/p99 ms",
                      pct(points)))
    for key, points in scale.items():
        if key.startswith("queue "):
            table.append((scale_label, f"GET /cases?limit=100 as {key[6:]}, p50/p95/p99 ms",
                          pct(points)))
    return table


def render(table, command, machine):
    lines = [f"`{command}` on {machine}; {TARGETS}.", "",
             "| scenario | measure | value |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in table]
    return "\n".join(lines)
