"""Move the platform's queued messages from a vhost of classic queues to a
vhost whose queues are quorum queues (replicated on every node of a cluster).

A queue's type is fixed when it is first declared: in a vhost made with
``--default-queue-type quorum`` nameko's queues are quorum queues, but an
existing classic queue stays classic, and declaring it again as quorum fails
(``PRECONDITION_FAILED inequivalent arg 'x-queue-type'``). Deleting and
re-declaring each queue in place would drop what it holds (and a quorum queue
deleted and at once re-declared can come back with a dead member). So the
move is to a new vhost, queue by queue, message by message:

    rabbitmqctl add_vhost petition-q --default-queue-type quorum
    rabbitmqctl set_permissions -p petition-q admin '.*' '.*' '.*'
    # stop every service (their outboxes keep what they would publish), then:
    AMQP_URI=amqp://admin:PW@HOST/petition QUORUM_AMQP_URI=amqp://admin:PW@HOST/petition-q \
        python -m deploy.quorum          # or --from URI --to URI
    # the services' users in the new vhost (deploy.broker_users), AMQP_URI -> petition-q, start them
    AMQP_URI=amqp://admin:PW@HOST/petition python -m deploy.quorum --check   # 0 left: delete it

It declares the topology in the new vhost (deploy.topology), then moves every
message of every handler queue, retry queue and parked queue: each is
published to the same-named queue with a publisher confirm and only then acked
in the old vhost, so a crash repeats a message (handlers are idempotent: the
inbox) and never loses one. RPC request queues are not moved: a request still
there has expired for its caller (RPC_TIMEOUT_SECONDS); nameko's reply queues
expire by themselves. Run it again if it was interrupted.
"""
import argparse
import os

from kombu import Connection

from core.publish import UNROUTED
from deploy.parked import drain
from deploy.topology import all_handler_queues, declare_topology

# kombu gives a new connection 5 s to finish its handshake; a broker busy with
# other vhosts' queues being made and deleted took longer (twice in a row in the
# suite). The move runs once, by an operator, and may wait.
PATIENCE = {"connect_timeout": 30}
# Entities (exchanges, queues) declared per connection in the new vhost, each
# batch followed by a pause as long as it took (core.handlers.declare): ~300
# quorum queues declared back to back stalled the broker ~50 s once while
# other clients were connected (tests/alone).
BATCH = 25


def platform_queues(amqp_uri):
    """Every durable queue that holds the platform's events."""
    return [name for q in all_handler_queues(amqp_uri)
            for name in (q.main, *(q.retry(d) for d in q.delays), q.parked)] + [UNROUTED.name]


def counts(amqp_uri, queues):
    with Connection(amqp_uri, **PATIENCE) as conn:
        channel = conn.channel()
        found = {}
        for name in queues:
            try:
                found[name] = channel.queue_declare(name, passive=True).message_count
            except conn.channel_errors:  # never declared there (404 closes the channel)
                channel = conn.channel()
        return found


def move(source_uri, target_uri):
    """Declare the topology in ``target_uri``'s vhost and move every message of
    the platform's queues there; ``{queue: moved}``."""
    declare_topology(target_uri, batch=BATCH)
    queues = counts(source_uri, platform_queues(source_uri))
    moved = {}
    with Connection(source_uri, **PATIENCE) as source, \
            Connection(target_uri, transport_options={"confirm_publish": True},
                       **PATIENCE) as target:
        channel = source.channel()
        producer = target.Producer()
        for queue in queues:
            for message in drain(channel, queue):
                producer.publish(message.body, exchange="", routing_key=queue,
                                 headers=message.headers, content_type=message.content_type,
                                 content_encoding=message.content_encoding, delivery_mode=2)
                channel.basic_ack(message.delivery_tag)
                moved[queue] = moved.get(queue, 0) + 1
        channel.close()
    return moved


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="move the platform's queued messages to a quorum-queue vhost")
    # From the environment by default: a password on the command line shows in ps.
    parser.add_argument("--from", dest="source", default=os.environ.get("AMQP_URI"),
                        help="the old vhost's URI (default: AMQP_URI)")
    parser.add_argument("--to", dest="target", default=os.environ.get("QUORUM_AMQP_URI"),
                        help="the new vhost's URI, made with --default-queue-type quorum "
                             "(default: QUORUM_AMQP_URI)")
    parser.add_argument("--check", action="store_true", help="only count what is left")
    args = parser.parse_args(argv)
    if not args.source:
        parser.error("--from (or AMQP_URI) is required")
    if args.check or not args.target:
        left = {q: n for q, n in counts(args.source, platform_queues(args.source)).items() if n}
        for queue, n in left.items():
            print(f"{n:6d}  {queue}")
        print(f"{sum(left.values())} message(s) left in the old vhost")
        return
    moved = move(args.source, args.target)
    for queue, n in moved.items():
        print(f"{n:6d}  {queue}")
    print(f"moved {sum(moved.values())} message(s) from {len(moved)} queue(s)")


if __name__ == "__main__":
    main()
