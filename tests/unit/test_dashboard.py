"""The Grafana dashboard (deploy/grafana) charts only metrics the services
export (core/metrics.py), and charts each of them."""
import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import core.metrics  # noqa: F401  (registers the metrics)

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy/grafana/petition-dashboard.json"
# Read from the store at each scrape (deploy/probes.py), not registered globally.
SCRAPED = {"petition_outbox_pending", "petition_outbox_lag_seconds"}


def test_the_dashboard_charts_exactly_the_exported_metrics():
    exprs = [t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"]
             for t in p["targets"]]
    used = {re.sub(r"_(total|bucket|count|sum)$", "", name)
            for e in exprs for name in re.findall(r"petition_[a-z_]+", e)}
    exported = {f.name for f in REGISTRY.collect() if f.name.startswith("petition_")} | SCRAPED
    assert used == exported
