"""Declare the broker topology before any event flows.

nameko declares a handler's queue only when that handler first starts, and a
topic exchange drops what no queue is bound to: an event published before its
consumer ever ran would be lost. This step declares every exchange, handler
queue, retry queue and parked queue from the service classes themselves.

    python -m deploy.topology            # AMQP_URI from the environment or the default
"""
import os

from core.handlers import declare, handler_queues
from deploy.services import all_service_classes

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


def declare_topology(amqp_uri, config=None):
    config = {"AMQP_URI": amqp_uri, **(config or {})}
    queues = handler_queues(all_service_classes(), config)
    declare(amqp_uri, [entity for q in queues for entity in q.declarations()])
    return queues


def main():
    amqp_uri = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
    queues = declare_topology(amqp_uri)
    print(f"topology: {len(queues)} handler queues declared, with retry and parked queues")


if __name__ == "__main__":
    main()
