"""A service's store: one SQLAlchemy session per unit of work, the transactional
outbox, and the inbox that makes event consumers idempotent.

The outbox exists because "commit, then dispatch" loses the event when the
process dies between the two. A unit of work writes its state change and the
events it implies in one transaction; the relay publishes them afterwards and
marks them sent. Publishing is at least once, so every consumer records the
``event_id`` it handled (the inbox) in the same transaction as its effects.

Work commits inside the entrypoint (``with store.transaction() as tx``), not in
``worker_result``: nameko acks the message and sends the RPC reply *before*
``worker_result`` runs, so a commit there could fail after the caller was told
it succeeded.
"""
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from sqlalchemy import (
    JSON,
    DateTime,
    Index,
    Integer,
    String,
    TypeDecorator,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from core.areas import routing_key
from core.events import PRIVATE_EXCHANGES
from core.publish import BatchPublisher

log = logging.getLogger(__name__)


def utcnow():
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator):
    """A point in time, stored in UTC and read back timezone-aware on every
    backend (SQLite keeps no zone: without this it would hand back naive
    datetimes, and store a +08:00 time as if it were UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r}")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=timezone.utc)


class MessagingBase(DeclarativeBase):
    """Tables every service's database has beside its own (see migrations);
    a table only some stores use is a mixin those stores declare in their
    models (core/once.py's AnsweredRequestMixin, core/limits.py's RateHitMixin)."""


class OutboxMessage(MessagingBase):
    __tablename__ = "outbox"
    __table_args__ = (
        # The relay only ever looks for what is not yet published.
        Index("ix_outbox_pending", "id",
              postgresql_where=text("published_at IS NULL"),
              sqlite_where=text("published_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    exchange: Mapped[str] = mapped_column(String(100))
    routing_key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class InboxEntry(MessagingBase):
    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# The inbox as two Core statements built once: an ORM load by key and an ORM
# insert at flush cost about 0.5 ms more CPU per event handled (in-process,
# SQLite: 0.75-1.1 ms against 0.24-0.28 ms per handler transaction).
_INBOX = InboxEntry.__table__
INBOX_SEEN = select(_INBOX.c.event_id).where(_INBOX.c.event_id == bindparam("event_id"),
                                             _INBOX.c.handler == bindparam("handler"))
INBOX_RECORD = insert(_INBOX)

# An outbox row as a Core INSERT built once, run where the event is emitted:
# an ORM row (its state, the unit of work's flush) was about 30% of a handler
# transaction's CPU. Run on the session's connection, so the row is in the
# transaction and a read in it sees the row, as it saw the ORM row after an
# autoflush (README, Performance, the round of branch outbox-core).
_OUTBOX = OutboxMessage.__table__
OUTBOX_WRITE = insert(_OUTBOX)


def make_engine(url):
    """An engine for ``url``; SQLite gets WAL so readers never block the writer."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # A deleted private outbox row (phone, query code) is overwritten, not
        # left readable in a free page.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return engine


def create_tables(engine, base):
    """Create a service's tables and the messaging tables (tests and dev only;
    deployments run the alembic migrations)."""
    base.metadata.create_all(engine)
    MessagingBase.metadata.create_all(engine)


class Transaction:
    """One unit of work: ``session`` for the service's own tables, ``emit`` for
    the events it implies, ``first_delivery`` to skip an event already handled."""

    def __init__(self, session, handler):
        self.session = session
        self.handler = handler
        self.emitted = []  # the ids of the outbox rows written
        # The inbox keys to record with the effects, inserted just before the
        # commit (SQLite's write lock is not taken for them sooner; an outbox
        # row, a timeline entry, a clock or an audit row is written at once, so
        # on SQLite the first of those takes the lock until the commit). A handler
        # must cause no effect outside the transaction before it commits: a
        # second delivery running at the same time fails on the key only then.
        self.received = []

    def emit(self, contract, **fields):
        payload = contract.build(**fields)
        written = self.session.execute(OUTBOX_WRITE, {
            "event_id": payload["event_id"], "exchange": contract.exchange,
            "routing_key": contract.event_type, "payload": payload})
        self.emitted.append(written.inserted_primary_key[0])
        return payload

    def find(self, model, number, **options):
        """The ``model`` row keyed by ``number`` (a case number), or None, also
        when ``number`` is not a string: a malformed number from the bus is a
        case not found (NotFound to the caller), never a database error."""
        return self.session.get(model, number, **options) if isinstance(number, str) else None

    def first_delivery(self, event):
        """True the first time this handler sees ``event``; records it (at
        commit) so a redelivery (same ``event_id``) answers False. Two
        concurrent deliveries cannot both commit: the inbox key makes the
        second fail and retry."""
        key = {"event_id": str(event["event_id"]), "handler": self.handler}
        if key in self.received or self.session.execute(INBOX_SEEN, key).first() is not None:
            return False
        self.received.append(key)
        return True


class StoreHandle:
    """What a worker (or a test, or a command) gets: a way to open transactions."""

    def __init__(self, sessions, handler="direct", on_emit=None):
        self.sessions = sessions
        self.handler = handler
        self.on_emit = on_emit

    @contextmanager
    def transaction(self):
        session = self.sessions()
        tx = Transaction(session, self.handler)
        try:
            yield tx
            if tx.received:
                session.execute(INBOX_RECORD, tx.received)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if tx.emitted and self.on_emit is not None:
            self.on_emit(tx.emitted)


class OutboxRelay:
    """Publishes pending outbox rows in order, then marks them published (or
    deletes them, for private events that carry personal data).

    ``others_after``: None, every pending row is this relay's to publish (a
    command's or a test's relay). A timedelta (a running service's): the
    rows this process wrote (``note``) are published at once, any other only
    once it is that old. Several processes of a service share one SQLite
    file, where ``FOR UPDATE SKIP LOCKED`` is not available: without this
    each process's relay published the others' fresh rows too, while their
    own relays were waiting for the confirms, so with 2 or 4 processes many
    events went out twice or more (consumers skipped the copies, after
    paying for them). Rows left by a process that died are still published
    by the others, or by itself once restarted, when the time has passed.
    """

    def __init__(self, sessions, publisher, batch_size=200, others_after=None):
        self.sessions = sessions
        self.publisher = publisher
        self.batch_size = batch_size
        self.others_after = others_after
        self.mine = set()  # ids of rows this process wrote, not yet seen published
        self.others_looked = float("-inf")  # time.monotonic() of the last look (_others_due)

    def note(self, ids):
        """Rows this process just committed."""
        self.mine.update(ids)

    def publish_pending(self):
        """Publish one batch under one wait for the broker's confirms; returns
        how many were published. Only confirmed rows are marked."""
        with self.sessions() as session:
            rows = self._pending(session)
            confirmed = set()
            try:
                if rows:
                    # The stored key is the event type; on the wire the case's
                    # county follows it (core/areas.py), rows written before included.
                    self.publisher.publish(
                        [(row.exchange, routing_key(row.routing_key, row.payload.get("area_code")),
                          row.payload) for row in rows], confirmed)
            finally:
                # Mark what the broker confirmed even when the rest failed.
                self._mark(session, [rows[index] for index in confirmed])
                session.commit()
        return len(confirmed)

    def _mark(self, session, rows):
        """One UPDATE for the published rows, one DELETE for the private ones
        (an ORM load, change and flush per row cost a third of the cycle)."""
        forget = [row.id for row in rows if row.exchange in PRIVATE_EXCHANGES]
        keep = [row.id for row in rows if row.exchange not in PRIVATE_EXCHANGES]
        if forget:
            session.execute(_FORGET, {"ids": forget})
        if keep:
            session.execute(_MARK_PUBLISHED, {"ids": keep, "now": utcnow()})
        self.mine.difference_update(forget + keep)

    def _pending(self, session):
        if self.others_after is None:
            return session.execute(_ANY_PENDING, {"room": self.batch_size}).all()
        candidates = sorted(self.mine)[:self.batch_size]
        rows = session.execute(_MINE_PENDING, {"ids": candidates}).all() if candidates else []
        # Published by another relay meanwhile (it was old enough for it): not ours to wait for.
        self.mine.difference_update(set(candidates) - {row.id for row in rows})
        if len(rows) < self.batch_size and (not rows or self._others_due()):
            rows += session.execute(_OTHERS_PENDING, {
                "taken": [row.id for row in rows], "room": self.batch_size - len(rows),
                "written_before": utcnow() - self.others_after}).all()
        # in the order they were written, this process's and the others' together
        return sorted(rows, key=lambda row: row.id)

    def _others_due(self):
        """While its own rows keep it busy (a cycle per commit below
        saturation), the relay looks for the others' old rows at most every
        OTHERS_LOOK_SECONDS: that query was a fifth of a cycle's CPU, and
        those rows wait OTHERS_ROWS_AFTER anyway."""
        now = time.monotonic()
        if now - self.others_looked < OTHERS_LOOK_SECONDS:
            return False
        self.others_looked = now
        return True


# The relay's statements, built once, on the table (Core rows: nothing for
# the ORM to track between the read and the marking).
_PENDING = (select(_OUTBOX.c.id, _OUTBOX.c.exchange, _OUTBOX.c.routing_key, _OUTBOX.c.payload)
            .where(_OUTBOX.c.published_at.is_(None))
            .order_by(_OUTBOX.c.id)
            .with_for_update(skip_locked=True))  # several relays on PostgreSQL
_ANY_PENDING = _PENDING.limit(bindparam("room"))
_MINE_PENDING = _PENDING.where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
_OTHERS_PENDING = _PENDING.where(
    _OUTBOX.c.id.not_in(bindparam("taken", expanding=True)),
    _OUTBOX.c.created_at < bindparam("written_before")).limit(bindparam("room"))
_MARK_PUBLISHED = (update(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
                   .values(published_at=bindparam("now", type_=_OUTBOX.c.published_at.type)))
_FORGET = delete(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))


# A row another process wrote is published by this one's relay once it is
# this old (its own relay has had time; see OutboxRelay): at 5 poll rounds, a
# crashed process's rows still go out within seconds.
OTHERS_ROWS_AFTER = timedelta(seconds=5)
OTHERS_LOOK_SECONDS = 1.0


class Store(DependencyProvider):
    """The service's database, and the relay that empties its outbox.

    Config: ``DB_URL``; ``OUTBOX_POLL_SECONDS`` (default 1), how often the relay
    looks for rows left by a crash; new rows wake it at once.
    """

    def __init__(self, base):
        self.base = base
        self._wakeup = threading.Event()
        self._running = False

    def setup(self):
        config = self.container.config
        self.engine = make_engine(config["DB_URL"])
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.relay = OutboxRelay(self.sessions, BatchPublisher(config[AMQP_URI_CONFIG_KEY]),
                                 others_after=OTHERS_ROWS_AFTER)
        self.poll_seconds = float(config.get("OUTBOX_POLL_SECONDS", 1.0))

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._relay_forever)

    def stop(self):
        self._running = False
        self._wakeup.set()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        handler = f"{self.container.service_name}.{worker_ctx.entrypoint.method_name}"
        return StoreHandle(self.sessions, handler, on_emit=self._written)

    def _written(self, ids):
        self.relay.note(ids)
        self._wakeup.set()

    def _relay_forever(self):
        backoff = self.poll_seconds
        while self._running:
            self._wakeup.wait(backoff)
            self._wakeup.clear()
            try:
                while self._running and self.relay.publish_pending() == self.relay.batch_size:
                    pass
                backoff = self.poll_seconds
            except Exception:  # broker or database away: keep the rows, try again
                log.warning("outbox relay: publish failed, retrying", exc_info=True)
                backoff = min(backoff * 2, 30.0)
        self.relay.publisher.close()

