"""Quorum queues on the local broker (a single node is a cluster of one):
``deploy.quorum`` moves what a classic vhost's queues hold to a quorum vhost,
losing nothing, and the topology it declares there is all quorum queues. The
three-node cluster and a node's death: tests/faults/test_cluster.py.

Run first in ``make test``, alone on the broker: declaring the topology as
quorum queues (~300 Ra clusters) stalled the broker for ~50 s whenever other
stacks were running (its log silent, every connection timing out), in the
parallel halves and in the fault tests alike; alone it takes ~15 s."""
import json

from kombu import Connection, Exchange

from core import events
from deploy import quorum
from deploy.rabbitmq import rabbitmqctl, throwaway_vhost
from deploy.topology import all_handler_queues, declare_topology


def queue_types(amqp_uri):
    vhost = amqp_uri.rsplit("/", 1)[1]
    rows = json.loads(rabbitmqctl("list_queues", "-p", vhost, "--formatter", "json",
                                  "name", "type"))
    return {row["name"]: row["type"] for row in rows}


def test_messages_move_from_classic_queues_to_quorum_ones():
    with throwaway_vhost() as classic, throwaway_vhost(queue_type="quorum") as target:
        declare_topology(classic)
        contract = events.PETITION_SUBMITTED
        subscribers = [q for q in all_handler_queues(classic) if q.contract == contract]
        parked = subscribers[0].parked
        exchange = Exchange(contract.exchange, type="topic", durable=True)
        with Connection(classic, transport_options={"confirm_publish": True},
                        **quorum.PATIENCE) as conn:
            producer = conn.Producer()
            for n in range(3):  # the move does not read them: any body will do
                producer.publish({"n": n}, exchange=exchange, routing_key=contract.event_type,
                                 delivery_mode=2)
            producer.publish({"parked": True}, routing_key=parked, delivery_mode=2,
                             headers={"x-parked-reason": "a test"})
        before = queue_types(classic)
        assert {before[q.main] for q in subscribers} == {"classic"}

        moved = quorum.move(classic, target)

        assert moved == {**{q.main: 3 for q in subscribers}, parked: 1}
        types = queue_types(target)  # the whole declared topology, all quorum
        assert set(quorum.platform_queues(target)) <= types.keys()
        assert set(types.values()) == {"quorum"}
        assert quorum.counts(target, moved) == moved
        assert not any(quorum.counts(classic, quorum.platform_queues(classic)).values())
        with Connection(target, **quorum.PATIENCE) as conn:
            message = conn.default_channel.basic_get(parked)
            assert json.loads(message.body) == {"parked": True}
            assert message.headers["x-parked-reason"] == "a test"
