"""The outbox relay alone, before and after batching its confirms: N outbox
rows published by ``OutboxRelay`` with nameko's Publisher (a confirm wait per
row, as the relay did) and with ``BatchPublisher`` (one wait per batch), back
to back on this machine's RabbitMQ in a throw-away vhost, into a durable queue.

    python -m bench.relay [--rows N] [--rounds R]
"""
import argparse
import tempfile
import time
import uuid

from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.constants import PERSISTENT
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from core.publish import BatchPublisher
from core.store import OutboxMessage, OutboxRelay, create_tables, make_engine
from deploy.rabbitmq import ensure_rabbitmq, throwaway_vhost


class Base(DeclarativeBase):
    pass


class PerRowPublisher:
    """The relay's former way: nameko's Publisher, waiting for each confirm."""

    def __init__(self, amqp_uri):
        self.publisher = Publisher(amqp_uri)

    def publish(self, messages, confirmed):
        for index, (name, routing_key, payload) in enumerate(messages):
            exchange = Exchange(name, type="topic", durable=True, delivery_mode=PERSISTENT)
            self.publisher.publish(payload, exchange=exchange, routing_key=routing_key,
                                   declare=[exchange])
            confirmed.add(index)

    def close(self):
        pass


def run(publisher, rows, directory):
    engine = make_engine(f"sqlite:///{directory}/{uuid.uuid4().hex}.db")
    create_tables(engine, Base)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions() as session:
        session.add_all(OutboxMessage(event_id=str(uuid.uuid4()), exchange="bench_relay",
                                      routing_key="thing", payload={"n": n, "pad": "x" * 400})
                        for n in range(rows))
        session.commit()
    relay, started = OutboxRelay(sessions, publisher), time.perf_counter()
    while relay.publish_pending():
        pass
    seconds = time.perf_counter() - started
    publisher.close()
    engine.dispose()
    return rows / seconds


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.relay")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    ensure_rabbitmq()
    with throwaway_vhost("bench") as amqp_uri, tempfile.TemporaryDirectory() as directory, \
            Connection(amqp_uri) as connection:
        # A durable queue bound, as the consumers' are: persistent rows are written to disk.
        queue = Queue("bench_relay", Exchange("bench_relay", type="topic", durable=True),
                      routing_key="thing", durable=True)(connection.default_channel)
        queue.declare()
        for round_ in range(1, args.rounds + 1):
            before = run(PerRowPublisher(amqp_uri), args.rows, directory)
            after = run(BatchPublisher(amqp_uri), args.rows, directory)
            queue.purge()
            print(f"round {round_}: {args.rows} rows, a confirm per row {before:.0f} rows/s, "
                  f"a confirm per batch {after:.0f} rows/s ({after / before:.1f}x)")


if __name__ == "__main__":
    main()
