"""Parked messages: events a handler could not process after every retry (or
that broke their contract). List them, look at them, replay them once fixed.

    python -m deploy.parked list
    python -m deploy.parked show QUEUE          # QUEUE as printed by list
    python -m deploy.parked replay QUEUE        # back to the handler's queue
"""
import argparse
import json
import os

from kombu import Connection

from core.handlers import ATTEMPT_HEADER
from core.privacy import mask_phone
from deploy.topology import DEFAULT_AMQP_URI, all_handler_queues


def parked_counts(amqp_uri):
    queues = all_handler_queues(amqp_uri)
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        return {q.parked: channel.queue_declare(q.parked, passive=True).message_count
                for q in queues}


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


def show(amqp_uri, queue):
    """Print each parked message (personal data masked); they stay parked
    (requeued, not acked)."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        messages = list(drain(channel, queue))
        for message in messages:
            print(json.dumps({"reason": message.headers.get("x-parked-reason"),
                              "payload": _masked(json.loads(message.body))},
                             ensure_ascii=False))
        for message in messages:
            channel.basic_reject(message.delivery_tag, requeue=True)
        channel.close()
    return len(messages)


def replay(amqp_uri, queue):
    """Move every message of a parked queue back to its handler's queue, with
    a fresh retry budget."""
    moved = 0
    # Confirmed publishes: a message is acked off the parked queue only once
    # the broker holds its copy.
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        producer = conn.Producer(channel=channel)
        for message in drain(channel, queue):
            headers = {k: v for k, v in message.headers.items()
                       if k not in (ATTEMPT_HEADER, "x-parked-reason", "x-death")}
            producer.publish(message.body, routing_key=message.headers["x-original-queue"],
                             headers=headers, content_type=message.content_type,
                             content_encoding=message.content_encoding, delivery_mode=2)
            channel.basic_ack(message.delivery_tag)
            moved += 1
        channel.close()
    return moved


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
        print(f"replayed {replay(amqp_uri, args.queue)} message(s) to their handler's queue")


if __name__ == "__main__":
    main()
