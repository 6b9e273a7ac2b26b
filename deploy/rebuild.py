"""Rebuild a read side from scratch: empty its projections and replay the
public events it archived as it consumed them. Stop the service first (the
events that arrive meanwhile wait in its durable queues and are applied when
it starts again).

    python -m deploy.rebuild reports      # DB URL from services/reports/config.yaml
"""
import argparse

from sqlalchemy.orm import sessionmaker

from core.config import load_config
from core.store import StoreHandle, make_engine
from services.reports import projections
from services.reports.settings import Settings

REBUILDABLE = ("reports",)


def rebuild(config):
    """Replay ``config``'s store; returns how many events were replayed."""
    engine = make_engine(config["DB_URL"])
    try:
        store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="rebuild")
        with store.transaction() as tx:
            return projections.rebuild(tx, Settings.from_config(config))
    finally:
        engine.dispose()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=REBUILDABLE)
    args = parser.parse_args(argv)
    replayed = rebuild(load_config(args.service))
    print(f"{args.service}: rebuilt from {replayed} archived events")


if __name__ == "__main__":
    main()
