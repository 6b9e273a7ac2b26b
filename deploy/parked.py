"""Parked messages: events a handler could not process after every retry (or
that broke their contract), and events no queue bound (``unrouted``, set aside
by the outbox relay: core/publish.py). List them, look at them, replay them
once fixed.

    python -m deploy.parked list
    python -m deploy.parked show QUEUE          # QUEUE as printed by list
    python -m deploy.parked replay QUEUE        # back to the handler's queue, or
                                                # an unrouted event to its exchange
"""
import argparse
import json
import os

from kombu import Connection

from core.handlers import ATTEMPT_HEADER
from core.privacy import mask_phone
from core.publish import ORIGINAL_EXCHANGE, ORIGINAL_ROUTING_KEY, UNROUTED
from deploy.topology import DEFAULT_AMQP_URI, all_handler_queues


def parked_counts(amqp_uri):
    queues = all_handler_queues(amqp_uri)
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        return {name: channel.queue_declare(name, passive=True).message_count
                for name in [*(q.parked for q in queues), UNROUTED.name]}


def drain(channel, queue):
    while (message := channel.basic_get(queue)) is not None:
        yield message


def _masked(payload):
    """What an operator may see of a parked event: a private one carries the
    petitioner's phone and query code."""
    if not isinstance(payload, dict):
        return payload
    masked = dict(payload)
    if "phone" in masked:
        masked["phone"] = mask_phone(str(masked["phone"]))
    if "query_code" in masked:
        masked["query_code"] = "****-****-****-" + str(masked["query_code"])[-4:]
    return masked


def _reason(headers):
    if ORIGINAL_ROUTING_KEY in headers:
        return f"no queue bound {headers[ORIGINAL_ROUTING_KEY]} on {headers[ORIGINAL_EXCHANGE]}"
    return headers.get("x-parked-reason")


def _destination(headers):
    """Where a set-aside message goes back to: (exchange, routing key)."""
    if ORIGINAL_ROUTING_KEY in headers:
        return headers[ORIGINAL_EXCHANGE], headers[ORIGINAL_ROUTING_KEY]
    return "", headers["x-original-queue"]


def show(amqp_uri, queue):
    """Print each parked message (personal data masked); they stay parked
    (requeued, not acked)."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        messages = list(drain(channel, queue))
        for message in messages:
            print(json.dumps({"reason": _reason(message.headers),
                              "payload": _masked(json.loads(message.body))},
                             ensure_ascii=False))
        for message in messages:
            channel.basic_reject(message.delivery_tag, requeue=True)
        channel.close()
    return len(messages)


def replay(amqp_uri, queue):
    """Move every message of a parked queue back to its handler's queue, with
    a fresh retry budget, or every unrouted one to its exchange; returns how
    many moved, and how many stayed (still no queue binds them)."""
    moved, kept, returned = 0, [], []
    # Confirmed publishes: a message is acked off the parked queue only once
    # the broker holds its copy. Mandatory: one no queue takes comes back
    # (before its confirm) and stays where it was.
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        channel.events["basic_return"].add(lambda *returned_message: returned.append(True))
        producer = conn.Producer(channel=channel)
        for message in drain(channel, queue):
            headers = {k: v for k, v in message.headers.items()
                       if k not in (ATTEMPT_HEADER, "x-parked-reason", "x-death",
                                    ORIGINAL_EXCHANGE, ORIGINAL_ROUTING_KEY)}
            exchange, routing_key = _destination(message.headers)
            producer.publish(message.body, exchange=exchange, routing_key=routing_key,
                             headers=headers, content_type=message.content_type,
                             content_encoding=message.content_encoding, delivery_mode=2,
                             mandatory=True)
            if returned:
                returned.clear()
                kept.append(message)
            else:
                channel.basic_ack(message.delivery_tag)
                moved += 1
        for message in kept:
            channel.basic_reject(message.delivery_tag, requeue=True)
        channel.close()
    return moved, len(kept)


def main(argv=None):
    parser = argparse.ArgumentParser(description="list, show and replay parked messages")
    parser.add_argument("command", choices=("list", "show", "replay"))
    parser.add_argument("queue", nargs="?")
    args = parser.parse_args(argv)
    amqp_uri = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
    if args.command == "list":
        for queue, count in parked_counts(amqp_uri).items():
            print(f"{count:6d}  {queue}")
    elif not args.queue:
        parser.error(f"{args.command} needs a QUEUE (see: list)")
    elif args.command == "show":
        print(f"{show(amqp_uri, args.queue)} parked message(s)")
    else:
        moved, kept = replay(amqp_uri, args.queue)
        print(f"replayed {moved} message(s) to their handler's queue or exchange"
              + (f"; {kept} still bound by no queue, left in {args.queue}" if kept else ""))


if __name__ == "__main__":
    main()
