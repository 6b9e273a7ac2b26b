"""The bare-nameko baseline: the pipeline's hops with no database, no outbox
and no validation. Each class runs as its own ``nameko run`` process.

    HTTP POST /chain -> front --RPC--> relay --event--> hop --event--> sink
    (gateway         -> intake         -> routing      -> tracking)
"""
import json
import time

from nameko.events import EventDispatcher, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http


class Front:
    name = "chain_front"
    relay = RpcProxy("chain_relay")

    @http("POST", "/chain")
    def submit(self, request):
        return 201, json.dumps(self.relay.forward(json.loads(request.get_data())))


class Relay:
    name = "chain_relay"
    dispatch = EventDispatcher()

    @rpc
    def forward(self, item):
        self.dispatch("forwarded", item)
        return {"id": item["id"], "status": "forwarded"}


class Hop:
    name = "chain_hop"
    dispatch = EventDispatcher()

    @event_handler("chain_relay", "forwarded")
    def on_forwarded(self, item):
        self.dispatch("passed", item)


class Sink:
    """Keeps when each item arrived, in memory, for the bench to read by RPC."""
    name = "chain_sink"
    arrived = {}

    @event_handler("chain_hop", "passed")
    def on_passed(self, item):
        Sink.arrived[item["id"]] = time.time()

    @rpc
    def arrivals(self, prefix):
        return {k: at for k, at in Sink.arrived.items() if k.startswith(prefix)}
