"""Inside the platform: a message sent straight to a service's RPC queue
naming a made-up staff user gets nothing; each service's broker user reads
only its own queues."""
import uuid

import amqp.exceptions
import pytest
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from core.errors import Unauthorized
from tests.security.conftest import new_person
from tests.stack import VALID, eventually, follow, login, submit_petition

pytestmark = pytest.mark.e2e

MADE_UP = {"username": "made_up", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
           "role": "bureau", "area_code": "370100"}


@pytest.fixture(scope="module")
def case(stack):
    receipt = submit_petition(stack, {**VALID, **new_person()}).json()
    assert eventually(lambda: follow(stack, receipt["query_code"])["status"] == "routed")
    return receipt["case_number"]


def test_a_made_up_or_forged_actor_on_the_bus_gets_nothing(stack, case):
    forged = login(stack, "lixia_housing")[:-4] + "AAAA"  # a token with a broken signature
    with ClusterRpcProxy({"AMQP_URI": stack.env["AMQP_URI"]}, timeout=30) as services:
        for actor in (MADE_UP, "lixia_housing", forged):
            with pytest.raises(Unauthorized):
                services.tracking.list_cases(actor)
            with pytest.raises(Unauthorized):
                services.tracking.staff_case(case, actor)
            with pytest.raises(Unauthorized):
                services.intake.petitioner(case, actor)
            with pytest.raises(Unauthorized):
                services.tracking.act(case, "accept", actor)
        assert services.tracking.get_case(case)["status"] == "routed"
        # The real token works: the refusal is about the actor, not the call.
        token = login(stack, "lixia_housing")
        assert case in {c["case_number"] for c in services.tracking.list_cases(token)}


def as_service(stack, name):
    return Connection(stack.service_uris[name])


def refused(action):
    try:
        action()
    except (amqp.exceptions.AccessRefused, amqp.exceptions.NotAllowed) as exc:
        return exc
    return None


def test_a_service_user_cannot_read_another_services_queues(stack):
    with as_service(stack, "routing") as conn:
        for queue in ("rpc-intake", "rpc-tracking",
                      "evt-intake.private-petitioner_contact--notify.on_petitioner_contact",
                      "evt-intake-petition_submitted--tracking.on_petition_submitted"):
            assert refused(lambda q=queue: Queue(q, channel=conn.channel(), no_declare=True)
                           .get(no_ack=False)), queue
        # It cannot bind a queue of its own to the private exchange either,
        private = Exchange("intake.private.events", type="topic", passive=True)
        mine = Queue(f"evt-intake.private-x--routing.{uuid.uuid4().hex}", private,
                     routing_key="#", auto_delete=True)
        assert refused(lambda: mine(conn.channel()).declare())
        # nor copy another service's RPC requests to a reply queue of its own.
        rpc = Exchange("nameko-rpc", type="topic", passive=True)
        copier = Queue(f"rpc.reply-routing-{uuid.uuid4()}", rpc, routing_key="intake.*",
                       auto_delete=True)
        assert refused(lambda: copier(conn.channel()).declare())
    # The positive control: a user reads its own queue.
    with as_service(stack, "notify") as conn:
        Queue("evt-intake.private-petitioner_contact--notify.on_petitioner_contact",
              channel=conn.channel(), no_declare=True).get(no_ack=False)
