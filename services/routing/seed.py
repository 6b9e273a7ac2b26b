"""Seed the routing store with the org directory, rules and demo staff:

    python -m services.routing.seed

Run after ``python -m deploy.migrate routing``; safe to run again (see
``directory_seed``). The service itself never seeds at start.
Config: ``DB_URL`` and ``DEMO_PASSWORD`` from services/routing/config.yaml.
"""
from sqlalchemy.orm import sessionmaker

from core.config import load_config
from core.store import StoreHandle, make_engine
from services.routing import directory_seed


def main():
    config = load_config("routing")
    engine = make_engine(config["DB_URL"])
    store = StoreHandle(sessionmaker(engine), handler="routing.seed")
    with store.transaction() as tx:
        added = directory_seed.seed(tx, str(config["DEMO_PASSWORD"]))
    engine.dispose()
    print(f"routing: directory seeded ({added['rules']} rules and "
          f"{added['staff_accounts']} staff accounts added)")


if __name__ == "__main__":
    main()
