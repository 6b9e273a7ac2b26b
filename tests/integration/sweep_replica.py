"""One replica of tracking's sweep, as its own process, for the race test:
``python -m tests.integration.sweep_replica DB_URL CLOCK_FILE START_AT NAME``
waits until START_AT (a Unix time), sweeps once, prints how many alerts it raised."""
import sys
import time

from sqlalchemy.orm import sessionmaker

from core.config import load_config
from core.store import StoreHandle, make_engine
from services.tracking import sweep
from services.tracking.clocks import clocks_from_config


def main(db_url, clock_file, start_at, name):
    store = StoreHandle(sessionmaker(make_engine(db_url), expire_on_commit=False))
    clocks = clocks_from_config({**load_config("tracking"), "CLOCK_FILE": clock_file})
    time.sleep(max(0.0, float(start_at) - time.time()))
    print(sweep.sweep(store, clocks, name))


if __name__ == "__main__":
    main(*sys.argv[1:])
