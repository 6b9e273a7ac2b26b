"""Retention: published outbox rows, inbox entries and the answers of RPCs
that act once per request (core/once.py) older than a number of days are
deleted, in batches, from each service's store; and personal-data
retention (core/retention.py): for tracking, the cases final for longer than
a retention period are announced, once each, and every store erases them;
for a store with personal data of its own (suggestions' proposals, intake's
phone codes), what its ``due`` finds is erased there, once each.

    python -m deploy.housekeeping [--days 30] [--orphan-hours H] [--dry-run] [service ...]
                                                                      # default: every one

For intake, the blobs of case materials no attachment row names (an upload
rolled back) and older than ``--orphan-hours`` (default: intake's
ORPHAN_BLOB_HOURS, 24; under 1 hour is refused) are deleted from this
deployment's own part of the blob store (services/intake/orphans.py); a dry
run lists them.

``--dry-run`` changes nothing: it counts the outbox and inbox rows that would
go, the cases tracking would announce and, for each other store named (its
database reachable from here), what erasing those cases and its own due
subjects would empty there (the same erasure code, rolled back; files
counted, not deleted).

Safe with several replicas or runs at once: each batch is one DELETE of rows
matching the age (a row another run deleted first is simply not there), and
unpublished outbox rows are never touched. The inbox keeps an event's id for
``--days`` so that a duplicate delivered within that time is still skipped;
keep it well above the longest redelivery (retries take seconds; parked
messages are replayed by hand, and a parked message had no inbox entry). An
answered request's id is kept as long, for a client that sends its
Idempotency-Key again (a staff console retries within minutes).
Kubernetes: the CronJob ``housekeeping`` (deploy/k8s.py) runs it nightly.
"""
import argparse
import importlib
import os
import socket
from collections import Counter
from datetime import timedelta

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import sessionmaker

from core import retention
from core.config import STORED_SERVICES, load_config
from core.errors import ConfigurationError
from core.once import answered_requests_model
from core.store import InboxEntry, OutboxMessage, StoreHandle, make_engine, utcnow
from services.intake import blobs, orphans
from services.tracking import retention as tracking_retention

DEFAULT_DAYS = 30
BATCH = 1000


def purge(sessions, days, now=None, dry_run=False, answered=None):
    """Delete what is older than ``days``; returns (outbox rows, inbox entries,
    answered requests); ``answered``: the store's AnsweredRequest model, None
    for a store without one (its count is then None)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    remove = _count if dry_run else _in_batches
    return (
        remove(sessions, OutboxMessage, (OutboxMessage.id,),
               OutboxMessage.published_at.is_not(None) & (OutboxMessage.published_at < cutoff)),
        remove(sessions, InboxEntry, (InboxEntry.event_id, InboxEntry.handler),
               InboxEntry.handled_at < cutoff),
        None if answered is None else
        remove(sessions, answered, (answered.handler, answered.request_key),
               answered.answered_at < cutoff))


def _count(sessions, model, key, old):
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(old))


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


def _retention(service):
    """A store's retention module, audit model and erase functions (intake's
    without its blob store, notify's without its SMS provider: files and
    recorded texts counted, not changed, which only tracking's announced
    erasure, run by the service itself, does)."""
    module = importlib.import_module(f"services.{service}.retention")
    model = importlib.import_module(f"services.{service}.models").Erasure
    return module, model, module.erasers(None) if service in ("intake", "notify") else module.ERASERS


def erasure_counts(service, sessions, due):
    """What erasing ``due`` ({period: [(case number, final_at)]}) would empty
    in ``service``'s store, changing nothing: {"<table>.<field>": n}."""
    _module, model, erasers = _retention(service)
    total = Counter()
    for period, cases in due.items():
        for case_number, final_at in cases:
            with retention.rolled_back(sessions) as tx:
                total.update(retention.erase(tx, service, model, erasers, case_number,
                                             period, final_at) or {})
    return dict(total)


def erase_own(service, sessions, now, environ, dry_run=False):
    """Erase (``dry_run``: count) the store's own personal data that is due,
    announcing each subject to the other stores when it is one that does
    (retention.ANNOUNCES_OWN); returns {period: subjects}, {period: {field: n}}."""
    module, model, erasers = _retention(service)
    store = StoreHandle(sessions, handler="housekeeping")
    with store.transaction() as tx:
        due = {p: module.due(tx.session, p, now, environ)
               for p in retention.subject_periods(service)}
    announce = module.announce if service in retention.ANNOUNCES_OWN else None
    return retention.erase_own(store, service, model, erasers, due, now, dry_run, announce)


def main(argv=None, environ=os.environ):
    parser = argparse.ArgumentParser(prog="python -m deploy.housekeeping")
    parser.add_argument("services", nargs="*", default=STORED_SERVICES)
    parser.add_argument("--days", type=float, default=DEFAULT_DAYS)
    parser.add_argument("--orphan-hours", type=_orphan_hours, default=None,
                        help="intake: delete unnamed blobs older than this "
                             "(default: ORPHAN_BLOB_HOURS in intake's config)")
    parser.add_argument("--dry-run", action="store_true",
                        help="count what would be deleted, announced and erased; change nothing")
    args = parser.parse_args(argv)
    now, dry, due = utcnow(), args.dry_run, {}
    would = "would be " if dry else ""
    # tracking first: its announcements are what the other stores would erase
    for service in sorted(args.services, key=lambda s: s != "tracking"):
        config = load_config(service)
        engine = make_engine(config["DB_URL"])
        sessions = sessionmaker(engine, expire_on_commit=False)
        base = importlib.import_module(f"services.{service}.models").Base
        outbox, inbox, answered = purge(sessions, args.days, now, dry_run=dry,
                                        answered=answered_requests_model(base))
        answers = "" if answered is None else f", {answered} answered requests"
        print(f"{service}: {outbox} published outbox rows, {inbox} inbox entries{answers} "
              f"older than {args.days:g} days {would}deleted")
        if service == "intake":
            sweep_orphans(sessions, config, args.orphan_hours, now, dry)
        if service == "tracking":
            store = StoreHandle(sessions, handler="housekeeping")
            with store.transaction() as tx:
                due = {p: tracking_retention.due(tx.session, p, now, environ)
                       for p in retention.announced_periods()}
            announced, counts = tracking_retention.announce(
                store, now, f"housekeeping@{socket.gethostname()}", environ, dry_run=dry)
            for period, n in announced.items():
                print(f"tracking: {n} cases final for more than "
                      f"{retention.days(period, environ)} days {would}announced for erasure "
                      f"({period}){_fields(counts.get(period))}")
        elif dry and service in retention.stores(announced=True) and "tracking" in args.services:
            print(f"{service}: erasing the cases tracking would announce would empty"
                  f"{_fields(erasure_counts(service, sessions, due)) or ' nothing'}")
        if retention.subject_periods(service):
            erased, counts = erase_own(service, sessions, now, environ, dry_run=dry)
            for period, n in erased.items():
                if period in retention.own_periods(service):
                    print(f"{service}: personal data of {n} due after "
                          f"{retention.days(period, environ)} days ({period}) {would}erased"
                          f"{_fields(counts.get(period))}")
                else:  # only the other stores hold data of this period
                    print(f"{service}: {n} final for more than "
                          f"{retention.days(period, environ)} days {would}announced for "
                          f"erasure ({period})")
        engine.dispose()


def sweep_orphans(sessions, config, hours, now, dry_run):
    """intake's blobs that no attachment names, older than ``hours``: deleted,
    or listed by key in a dry run."""
    if hours is None:
        hours = orphans.check_hours(config.get("ORPHAN_BLOB_HOURS") or orphans.DEFAULT_HOURS,
                                    "ORPHAN_BLOB_HOURS")
    found = orphans.sweep(sessions, blobs.backend_from_config(config), hours, now, dry_run)
    for key in found if dry_run else ():
        print(f"intake: orphan blob {key} would be deleted")
    print(f"intake: {len(found)} blobs named by no attachment and older than {hours:g} hours "
          f"{'would be ' if dry_run else ''}deleted")


def _orphan_hours(value):
    """--orphan-hours, at least orphans.MIN_HOURS (argparse reports the error)."""
    try:
        return orphans.check_hours(value, "--orphan-hours")
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("intake: ")) from None


def _fields(counts):
    return "".join(f"; {field} {n}" for field, n in sorted((counts or {}).items()))


if __name__ == "__main__":
    main()
