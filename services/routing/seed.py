"""Seed the routing store with the org directory, rules and staff:

    python -m services.routing.seed --demo   # staff sign in with DEMO_PASSWORD (make run, tests)
    python -m services.routing.seed          # each new account gets a one-time password,
                                             # printed once, changed at first sign-in

Run after ``python -m deploy.migrate routing``; safe to run again (see
``directory_seed``). The service itself never seeds at start.
Config: ``DB_URL`` and ``DEMO_PASSWORD`` from services/routing/config.yaml.
"""
import sys

from sqlalchemy.orm import sessionmaker

from core.config import load_config
from core.store import StoreHandle, make_engine
from services.routing import directory_seed


def main(argv=None):
    demo = "--demo" in (sys.argv[1:] if argv is None else argv)
    config = load_config("routing")
    engine = make_engine(config["DB_URL"])
    store = StoreHandle(sessionmaker(engine), handler="routing.seed")
    with store.transaction() as tx:
        added = directory_seed.seed(tx, str(config["DEMO_PASSWORD"]) if demo else None)
    engine.dispose()
    print(f"routing: directory seeded ({added['rules']} rules and "
          f"{added['staff_accounts']} staff accounts added)")
    for username, password in added["one_time_passwords"].items():
        print(f"  {username}: one-time password {password} (to be changed at first sign-in)")


if __name__ == "__main__":
    main()
