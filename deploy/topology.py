"""Declare the broker topology before any event flows.

nameko declares a handler's queue only when that handler first starts, and a
topic exchange drops what no queue is bound to: an event published before its
consumer ever ran would be lost. This step declares every exchange, handler
queue, retry queue and parked queue from the service classes themselves.

    python -m deploy.topology            # AMQP_URI from the environment or the default
"""
import os

from core.config import SERVICES, load_config
from core.handlers import declare, handler_queues
from deploy.services import service_class

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


def all_handler_queues(amqp_uri):
    """Every handler's queues, with each service's own retry delays."""
    return [queues for name in SERVICES
            for queues in handler_queues([service_class(name)],
                                         {**load_config(name), "AMQP_URI": amqp_uri})]


def declare_topology(amqp_uri):
    queues = all_handler_queues(amqp_uri)
    declare(amqp_uri, [entity for q in queues for entity in q.declarations()])
    return queues


def main():
    amqp_uri = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
    queues = declare_topology(amqp_uri)
    print(f"topology: {len(queues)} handler queues declared, with retry and parked queues")


if __name__ == "__main__":
    main()
