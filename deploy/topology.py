"""Declare the broker topology before any event flows.

nameko declares a handler's queue only when that handler first starts, and a
topic exchange drops what no queue is bound to: an event published before its
consumer ever ran would be lost. This step declares every exchange, handler
queue, retry queue and parked queue from the service classes themselves.

    python -m deploy.topology            # AMQP_URI from the environment or the default

Each handler queue is bound to the areas its deployment handles (core/areas.py:
``COUNTIES`` for the city, ``COUNTY_CODE`` for a county's own deployment, which
declares only its own services' queues); a binding it no longer has (a county
handed over, or the bare event type of before area keys) is removed. It also
declares the ``unrouted`` queue, where the outbox relay sets aside an event no
queue binds (core/publish.py).
"""
import os

from core.config import load_config
from core.handlers import declare, handler_queues, on_channel
from core.publish import UNROUTED
from deploy.services import deployed_services, service_class, this_county

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


def all_handler_queues(amqp_uri, county=None):
    """Every handler's queues of a deployment (the city's, or ``county``'s),
    with each service's own retry delays."""
    return [queues for name in deployed_services(county)
            for queues in handler_queues([service_class(name, county)],
                                         {**load_config(name), "AMQP_URI": amqp_uri})]


def declare_topology(amqp_uri, county=None, batch=None):
    """Declare the deployment's topology (``batch``: core.handlers.declare's)."""
    queues = all_handler_queues(amqp_uri, county)
    declare(amqp_uri, [UNROUTED, *(entity for q in queues for entity in q.declarations())],
            batch=batch)
    unbind_stale(amqp_uri, queues)
    return queues


def unbind_stale(amqp_uri, queues):
    def unbind(channel):
        for q in queues:
            queue = q.queue(channel)
            for key in q.stale_keys():
                queue.unbind_from(q.exchange, routing_key=key)
    on_channel(amqp_uri, unbind)


def main():
    amqp_uri = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
    county = this_county()
    queues = declare_topology(amqp_uri, county)
    print(f"topology{f' of county {county}' if county else ''}: {len(queues)} handler queues "
          f"declared, with retry and parked queues, and {UNROUTED.name}")


if __name__ == "__main__":
    main()
