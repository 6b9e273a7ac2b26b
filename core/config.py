"""Service configuration: each service's ``config.yaml``, read the way
``nameko run --config`` reads it (``${ENV:default}`` values), so commands and
tests see exactly what the running service sees."""
from pathlib import Path

import yaml
from nameko.cli.main import setup_yaml_parser

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("intake", "routing", "tracking", "rating", "notify", "gateway")


def config_path(service):
    return ROOT / "services" / service / "config.yaml"


def load_config(service):
    setup_yaml_parser()
    with open(config_path(service)) as f:
        return yaml.safe_load(f)
