"""The CPU the machinery every service shares costs per event, in-process:
the handler's transaction (core.store: an inbox key checked and recorded, 1-3
outbox rows written, the commit) on SQLite in a temporary directory, and,
with ``--relay``, the outbox relay's read-publish-mark cycle against this
machine's RabbitMQ in a throw-away vhost. CPU time (``time.process_time``),
so the other processes on a shared machine inflate it less than wall time.

    python -m bench.outbox [--events N] [--rounds R] [--relay]
"""
import argparse
import tempfile
import time
import uuid

from kombu import Connection, Exchange, Queue
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from core import events
from core.publish import BatchPublisher
from core.store import OTHERS_ROWS_AFTER, OutboxRelay, StoreHandle, create_tables, make_engine

CASE = {"case_number": "JN20260930-000001", "area_code": "370102", "unit_code": "U1"}
# A public event and a private one (the relay deletes those once published).
EMITTED = (events.CASE_ACCEPTED, {**CASE, "accepted_by": "clerk"})
PRIVATE = (events.PHONE_CODE, {"sealed": "x" * 120})


class NoTables(DeclarativeBase):
    pass


def _store(directory):
    engine = make_engine(f"sqlite:///{directory}/{uuid.uuid4().hex}.db")
    create_tables(engine, NoTables)
    return engine, sessionmaker(engine, expire_on_commit=False)


def handler_transactions(directory, n, per_event):
    """CPU ms per handler transaction: an event's inbox key and ``per_event``
    outbox rows, committed; then the same event again (a redelivery: checked
    and skipped). Returns (first deliveries, redeliveries)."""
    engine, sessions = _store(directory)
    noted = []
    store = StoreHandle(sessions, "bench.on_thing", on_emit=noted.extend)
    received = [{"event_id": str(uuid.uuid4())} for _ in range(n)]
    contract, fields = EMITTED

    def run():
        started = time.process_time()
        for event in received:
            with store.transaction() as tx:
                if tx.first_delivery(event):
                    for _ in range(per_event):
                        tx.emit(contract, **fields)
        return (time.process_time() - started) * 1000 / n
    first, again = run(), run()
    assert len(noted) == n * per_event
    engine.dispose()
    return first, again


def build_only(n):
    """CPU ms per contract.build alone (part of each emit, not the store's)."""
    contract, fields = EMITTED
    started = time.process_time()
    for _ in range(n):
        contract.build(**fields)
    return (time.process_time() - started) * 1000 / n


def relay_cycle(directory, amqp_uri, n, one_by_one=False):
    """CPU ms per row for the relay to publish and mark ``n`` rows written by
    handler transactions (one in four private, deleted once published): all
    written first, then published in batches (a backlog), or ``one_by_one``,
    a relay cycle after each transaction (a service below saturation)."""
    engine, sessions = _store(directory)
    # As a running service's: its own rows noted as written.
    relay = OutboxRelay(sessions, BatchPublisher(amqp_uri), others_after=OTHERS_ROWS_AFTER)
    store = StoreHandle(sessions, "bench.on_thing", on_emit=relay.note)

    def write(number):
        with store.transaction() as tx:
            contract, fields = PRIVATE if number % 4 == 0 else EMITTED
            tx.emit(contract, **fields)

    write(0)
    write(1)
    relay.publish_pending()  # the connection and the exchanges' declares, not counted
    cpu = published = 0
    if not one_by_one:
        for number in range(n):
            write(number)
    for number in range(n if one_by_one else 1):
        if one_by_one:
            write(number)
        started = time.process_time()
        # As Store._relay_forever: again only while a batch comes back full.
        while (done := relay.publish_pending()) == relay.batch_size:
            published += done
        published += done
        cpu += time.process_time() - started
    relay.publisher.close()
    engine.dispose()
    return cpu * 1000 / max(published, 1), published


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.outbox")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--relay", action="store_true",
                        help="also the relay's cycle, on the local RabbitMQ")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        for round_ in range(1, args.rounds + 1):
            figures = []
            for per_event in (1, 3):
                first, again = handler_transactions(directory, args.events, per_event)
                figures.append(f"{per_event} row(s) {first:.3f} ms (redelivery {again:.3f})")
            print(f"round {round_}: {args.events} handler transactions, CPU per transaction: "
                  f"{'; '.join(figures)}; contract.build alone {build_only(args.events):.3f} ms",
                  flush=True)
        if args.relay:
            _relay_rounds(directory, args)


def _relay_rounds(directory, args):
    from deploy.rabbitmq import ensure_rabbitmq, throwaway_vhost
    ensure_rabbitmq()
    with throwaway_vhost("bench", service_users=False) as amqp_uri, \
            Connection(amqp_uri) as connection:
        # Durable queues bound, as the consumers' are: persistent rows go to disk.
        queues = [Queue(f"bench_{name}", Exchange(name, type="topic", durable=True),
                        routing_key="#", durable=True)(connection.default_channel)
                  for name in {EMITTED[0].exchange, PRIVATE[0].exchange}]
        for queue in queues:
            queue.declare()
        for round_ in range(1, args.rounds + 1):
            figures = []
            for one_by_one in (False, True):
                cpu, published = relay_cycle(directory, amqp_uri, args.events, one_by_one)
                figures.append(f"{'a cycle per row' if one_by_one else 'in batches'} {cpu:.3f} ms")
                for queue in queues:
                    queue.purge()
            print(f"relay round {round_}: {published} rows, CPU per row: {'; '.join(figures)}",
                  flush=True)


if __name__ == "__main__":
    main()
