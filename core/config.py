"""Service configuration: each service's ``config.yaml``, read the way
``nameko run --config`` reads it (``${ENV:default}`` values), so commands and
tests see exactly what the running service sees."""
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from nameko.cli.main import setup_yaml_parser
from nameko.extensions import DependencyProvider

ROOT = Path(__file__).resolve().parent.parent
# Every service, and those with a store of their own (the gateway has none).
SERVICES = ("intake", "routing", "tracking", "rating", "notify", "reports", "suggestions",
            "gateway")
STORED_SERVICES = tuple(s for s in SERVICES if s != "gateway")
# The petitioners' and units' clock: case-number days, due dates, times shown.
LOCAL_TIME = ZoneInfo("Asia/Shanghai")
# How long a service may take to stop on SIGTERM before it is killed
# (deploy.serve; environment STOP_GRACE_SECONDS), and a pod's grace period
# above it (deploy/k8s).
STOP_GRACE_SECONDS = 20.0
POD_GRACE_SECONDS = 30


def config_path(service):
    return ROOT / "services" / service / "config.yaml"


def load_config(service):
    setup_yaml_parser()
    with open(config_path(service)) as f:
        return yaml.safe_load(f)

# A case material's largest file (ATTACHMENT_MAX_BYTES): intake keeps to it,
# the gateway refuses a larger body unread, the front's limit is above it.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class FromConfig(DependencyProvider):
    """A service's dependency built once from its config as the container sets
    up, ``build(config)``, and the same value handed to every worker: a bad
    config stops the service at its start, not at a first request.

        settings = FromConfig(Settings.from_config)

    One provider for every such value (settings, clocks, policies, the blob
    store, a sealer), rather than a class each with the same two methods."""

    def __init__(self, build):
        self.build = build

    def setup(self):
        self.value = self.build(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.value
