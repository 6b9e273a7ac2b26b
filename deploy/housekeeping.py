"""Outbox and inbox retention: published outbox rows and inbox entries older
than a number of days are deleted, in batches, from each service's store.

    python -m deploy.housekeeping [--days 30] [service ...]   # default: every stored service

Safe with several replicas or runs at once: each batch is one DELETE of rows
matching the age (a row another run deleted first is simply not there), and
unpublished outbox rows are never touched. The inbox keeps an event's id for
``--days`` so that a duplicate delivered within that time is still skipped;
keep it well above the longest redelivery (retries take seconds; parked
messages are replayed by hand, and a parked message had no inbox entry).
Kubernetes: the CronJob ``housekeeping`` (deploy/k8s.py) runs it nightly.
"""
import argparse
from datetime import timedelta

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import sessionmaker

from core.config import STORED_SERVICES, load_config
from core.store import InboxEntry, OutboxMessage, make_engine, utcnow

DEFAULT_DAYS = 30
BATCH = 1000


def purge(sessions, days, now=None):
    """Delete what is older than ``days``; returns (outbox rows, inbox entries)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return (
        _in_batches(sessions, OutboxMessage, (OutboxMessage.id,),
                    OutboxMessage.published_at.is_not(None)
                    & (OutboxMessage.published_at < cutoff)),
        _in_batches(sessions, InboxEntry, (InboxEntry.event_id, InboxEntry.handler),
                    InboxEntry.handled_at < cutoff))


def _in_batches(sessions, model, key, old):
    """Delete ``model`` rows matching ``old``, BATCH keys at a time."""
    deleted = 0
    while True:
        with sessions() as session:
            keys = [tuple(k) for k in session.execute(select(*key).where(old).limit(BATCH))]
            if keys:
                deleted += session.execute(
                    delete(model).where(tuple_(*key).in_(keys))
                    .execution_options(synchronize_session=False)).rowcount
                session.commit()
        if len(keys) < BATCH:
            return deleted


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.housekeeping")
    parser.add_argument("services", nargs="*", default=STORED_SERVICES)
    parser.add_argument("--days", type=float, default=DEFAULT_DAYS)
    args = parser.parse_args(argv)
    for service in args.services:
        engine = make_engine(load_config(service)["DB_URL"])
        outbox, inbox = purge(sessionmaker(engine), args.days)
        engine.dispose()
        print(f"{service}: {outbox} published outbox rows and {inbox} inbox entries older "
              f"than {args.days:g} days deleted")


if __name__ == "__main__":
    main()
