"""The CPU tracking's handlers spend on a petition at submission time, in this
process (no broker): each petition's ``petition_submitted`` then its
``petition_routed`` (``--routed-first``: the other way round) through
``cases.record_submission`` and ``cases.apply_routing``, one transaction per
event as ``core.handlers`` runs it (inbox check, the function, inbox record,
commit), on a fresh SQLite store in a temporary directory each round, timed
with ``time.process_time``; and the SQL statements each petition took.

    python -m bench.tracking_cpu [--petitions 300] [--rounds 3] [--routed-first] [--dump FILE]

The events and the clock are fixed, so two versions of the code write the
same rows: ``--dump`` writes the last round's store (the inbox without its
times) to compare them. Run the code before and after alternately."""
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from bench import inprocess
from core import events
from core.config import load_config
from core.store import StoreHandle, create_tables, make_engine
from services.tracking import cases
from services.tracking.clocks import clocks_from_config
from services.tracking.models import Base

UNITS = [("370102-housing", "历下区住建局", "370102001"), ("370103-housing", "市中区住建局", "370103002"),
         ("370102-water", "历下区水务局", "370102003"), ("370104-health", "槐荫区卫健委", "370104001")]
TABLES = ("cases", "timeline", "deadlines", "inbox", "outbox")


class FixedClock:
    """10:00 on 25 Nov 2026 in China, whenever it is run."""

    def now(self):
        return datetime(2026, 11, 25, 2, tzinfo=timezone.utc)


def petition_events(i):
    """Petition ``i``'s two events as the handlers receive them (built, loaded)."""
    unit, unit_name, area = UNITS[i % len(UNITS)]
    at = datetime(2026, 11, 25, 1, tzinfo=timezone.utc) + timedelta(seconds=i)
    common = {"case_number": f"JN20261125-{i:06d}", "area_code": area, "category": "housing"}
    submitted = events.PETITION_SUBMITTED.build(
        **common, unit_code=None, title=f"小区供暖不热 {i}", submitted_at=at, channel="online",
        event_id=uuid.UUID(int=2 * i), occurred_at=at)
    routed = events.PETITION_ROUTED.build(
        **common, unit_code=unit, unit_name=unit_name, track="immediate" if i % 5 == 0 else
        "standard", due_date=date(2026, 12, 31), reason="按类别和属地分派", routing_seq=1,
        event_id=uuid.UUID(int=2 * i + 1), occurred_at=at + timedelta(seconds=1))
    return events.PETITION_SUBMITTED.load(submitted), events.PETITION_ROUTED.load(routed)


def one_round(petitions, clocks, routed_first, dump=None):
    """CPU ms and SQL statements per petition, on a fresh store."""
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/tracking.db")
        create_tables(engine, Base)
        statements = []
        event.listen(engine, "before_cursor_execute", lambda *_: statements.append(1))
        sessions = sessionmaker(engine, expire_on_commit=False)
        steps = [(StoreHandle(sessions, "tracking.on_petition_submitted"),
                  cases.record_submission, ()),
                 (StoreHandle(sessions, "tracking.on_petition_routed"),
                  cases.apply_routing, (clocks,))]
        if routed_first:
            steps.reverse()

        def handle(pair):
            for (store, function, given), received in zip(steps, pair[::-1] if routed_first
                                                          else pair):
                with store.transaction() as tx:
                    if tx.first_delivery(received):
                        function(tx, received, *given)

        handle(petition_events(len(petitions)))  # warm-up, not counted
        statements.clear()
        start = time.process_time()
        for pair in petitions:
            handle(pair)
        spent = time.process_time() - start
        if dump:
            write_dump(engine, dump)
        engine.dispose()
    return 1000 * spent / len(petitions), len(statements) / len(petitions)


def write_dump(engine, path):
    with engine.connect() as connection, open(path, "w") as out:
        for table in TABLES:
            for row in connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1"):
                out.write(f"{table} {tuple(row)[:2] if table == 'inbox' else tuple(row)}\n")


def main(argv=None):
    parser = inprocess.arguments("python -m bench.tracking_cpu", rounds=3, profile=False)
    parser.add_argument("--routed-first", action="store_true")
    args = parser.parse_args(argv)
    clocks = clocks_from_config(load_config("tracking"))
    clocks.clock = FixedClock()
    petitions = [petition_events(i) for i in range(args.petitions)]
    for round_, dump, _profile in inprocess.rounds(args):
        ms, statements = one_round(petitions, clocks, args.routed_first, dump)
        print(f"round {round_}, {args.petitions} petitions "
              f"({'routed' if args.routed_first else 'submitted'} first): CPU ms per petition "
              f"{ms:.2f}, SQL statements per petition {statements:.1f}", flush=True)


if __name__ == "__main__":
    main()
