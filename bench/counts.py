"""Proof, read from the stores after a run, that several processes of a
service handled each petition once: nothing twice, nothing skipped.

A second handling of one event cannot commit (the inbox's key is the event id
and handler, written in the transaction of the effects); what could still
happen twice is the work behind an event under another id: an upstream handler
that ran twice emits its downstream events twice. So, per run: the events each
service emitted for the run's cases, counted per (event, case) (more than one
is work done twice); the replicated service's inbox rows for those events per
handler (each handled once: compare with the petitions accepted); and the
accepted petitions whose case was not read back routed (skipped)."""
import time
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import func, select

from core.config import STORED_SERVICES
from core.store import InboxEntry, OutboxMessage, make_engine

SETTLE_SECONDS = 2  # the counts are read again until they stop moving
SETTLE_TIMEOUT = 120
# Event ids a query names at most: one IN list of every event of a large run
# would pass the database's limit on bound parameters (SQLite 32,766,
# PostgreSQL 65,535).
IN_CHUNK = 500


def handled(stack, since, run, service):
    """The counts of a run (``measure``'s result, begun at ``since``, UTC)
    with ``service`` replicated, once the services downstream of routing
    (not waited for by ``measure``) have caught up."""
    deadline, counts = time.monotonic() + SETTLE_TIMEOUT, None
    while True:
        previous, counts = counts, _read(stack, since, set(run["cases"]), service)
        if counts == previous or time.monotonic() > deadline:
            return {"accepted": len(run["cases"]), "routed": run["routed"],
                    "skipped": len(run["cases"]) - run["routed"], **counts}
        time.sleep(SETTLE_SECONDS)


def _read(stack, since, cases, service):
    emitted, twice = set(), {}
    for name in STORED_SERVICES:
        with _connected(stack, name) as db:
            rows = [(event_id, key, payload.get("case_number")) for event_id, key, payload in
                    db.execute(select(OutboxMessage.event_id, OutboxMessage.routing_key,
                                      OutboxMessage.payload)
                               .where(OutboxMessage.created_at >= since))]
        rows = [row for row in rows if row[2] in cases]
        twice[name] = sum(n > 1 for n in Counter(row[1:] for row in rows).values())
        emitted.update(event_id for event_id, _, _ in rows)
    with _connected(stack, service) as db:
        inbox = handled_per_handler(db, emitted)
    return {"twice": twice, "inbox": inbox, "events": len(emitted)}


def handled_per_handler(db, event_ids):
    """How many inbox rows each handler has for ``event_ids``, asked
    ``IN_CHUNK`` ids a query (an event's rows are in one chunk: the sums are exact)."""
    ids, counts = sorted(event_ids), Counter()
    for start in range(0, len(ids), IN_CHUNK):
        counts.update(dict(db.execute(
            select(InboxEntry.handler, func.count())
            .where(InboxEntry.event_id.in_(ids[start:start + IN_CHUNK]))
            .group_by(InboxEntry.handler)).all()))
    return dict(counts)


@contextmanager
def _connected(stack, service):
    """A connection to ``service``'s store, its engine disposed after."""
    engine = make_engine(stack.env[f"{service.upper()}_DB_URL"])
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
