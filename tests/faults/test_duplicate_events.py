"""The same event delivered twice, and events delivered out of order, to the
running stack: one case, unique timeline entries, one SMS of each kind, a
status that never goes back.

The case is made up here (intake never saw it), so it is inspected by RPC on
tracking, routing and notify rather than by its query code."""
import secrets
import subprocess
from collections import Counter
from datetime import UTC, datetime

import pytest
from kombu import Connection, Exchange, Queue

from core import events
from core.areas import EVERYTHING
from core.errors import NotFound
from tests.faults.support import (
    api,
    eventually,
    login,
    new_case_number,
    new_phone,
    payload,
    publish,
    publish_to_queue,
    rpc,
    sms_lines,
)
from tests.kit import sealed

ROUTING_QUEUE = "evt-intake-petition_submitted--routing.on_petition_submitted"


class Capture:
    """A queue of the test's own bound to an exchange: what a service published."""

    def __init__(self, stack, contract):
        self.connection = Connection(stack.env["AMQP_URI"])
        # a case's events carry its county in the key (core/areas.py): bind them all
        self.queue = Queue(f"faults-capture-{secrets.token_hex(4)}",
                           routing_key=f"{contract.event_type}.{EVERYTHING}",
                           exchange=Exchange(contract.exchange, type="topic", durable=True),
                           auto_delete=False, durable=False)
        self.queue = self.queue(self.connection.default_channel)
        self.queue.declare()

    def wait_for(self, case_number):
        def get():
            message = self.queue.get(no_ack=True)
            return message and message.payload
        payload = eventually(lambda: (p := get()) and p["case_number"] == case_number and p)
        assert payload, f"nothing published for {case_number}"
        return payload

    def close(self):
        self.queue.delete()
        self.connection.release()


@pytest.mark.timeout(120)
def test_duplicated_and_out_of_order_events_leave_one_case(stack):
    case_number, phone = new_case_number(), new_phone()
    query_code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
    envelope = {"case_number": case_number, "area_code": "370102", "unit_code": None}
    submitted = payload(events.PETITION_SUBMITTED, **envelope, category="housing",
                        title="重复投递的事项", submitted_at=datetime.now(UTC), channel="online")
    contact = payload(events.PETITIONER_CONTACT, **envelope,
                      sealed=sealed(stack.env, phone=phone, query_code=query_code))

    # The contact first (twice): what notify needs before any status message.
    publish(stack, events.PETITIONER_CONTACT, contact)
    publish(stack, events.PETITIONER_CONTACT, contact)
    with rpc(stack) as services:
        assert eventually(lambda: services.notify.query_code_sms_count(case_number) >= 1)

        # Routing sees the submission; tracking does not yet: tracking gets
        # petition_routed before petition_submitted.
        capture = Capture(stack, events.PETITION_ROUTED)
        try:
            publish_to_queue(stack, ROUTING_QUEUE, submitted)
            routed = capture.wait_for(case_number)
        finally:
            capture.close()
        assert eventually(lambda: _status(services, case_number) == "routed")

        # Now the submission reaches everyone, twice; and the routing again.
        publish(stack, events.PETITION_SUBMITTED, submitted)
        publish(stack, events.PETITION_SUBMITTED, submitted)
        publish(stack, events.PETITION_ROUTED, routed)
        assert eventually(lambda: "submitted" in _kinds(services, case_number))

        handler = login(stack, "lixia_housing")
        assert routed["unit_code"] == "370102-ZJJ", routed
        accepted = api(stack, "POST", f"/cases/{case_number}/accept", handler)
        assert accepted.status_code == 200, accepted.text

        # Late copies of what came before the acceptance must not undo it.
        publish(stack, events.PETITION_ROUTED, routed)
        publish(stack, events.PETITION_SUBMITTED, submitted)
        publish(stack, events.PETITIONER_CONTACT, contact)
        assert eventually(lambda: _all_consumed(stack), timeout=30), "copies left unconsumed"

        case = services.tracking.get_case(case_number)
        assert case["status"] == "accepted"
        kinds = _kinds(services, case_number)
        assert sorted(kinds) == ["accept", "route", "submitted"], kinds
        assert services.routing.assignment(case_number)["routing_seq"] == 1
        templates = Counter(m["template"] for m in services.notify.messages_for_case(case_number))
        assert templates == {"query_code": 1, "petition_routed": 1}, templates

    assert eventually(lambda: len([line for line in sms_lines(stack) if f"\t{phone}\t" in line]) >= 2)
    texts = [line.split("\t", 2)[2] for line in sms_lines(stack) if f"\t{phone}\t" in line]
    assert len(texts) == 2, texts
    assert sum(query_code in t for t in texts) == 1, texts


def _status(services, case_number):
    try:
        return services.tracking.get_case(case_number)["status"]
    except NotFound:  # tracking has not heard of it yet
        return None


def _kinds(services, case_number):
    return [entry["kind"] for entry in services.tracking.get_case(case_number)["timeline"]]


def _all_consumed(stack):
    """Every copy handled: no handler or retry queue of the vhost holds a
    message, ready or being processed (unacked)."""
    vhost = stack.env["AMQP_URI"].rsplit("/", 1)[1]
    out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", vhost, "--no-table-headers",
                          "name", "messages"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    return all(int(count) == 0 for name, count in (line.split() for line in out.splitlines())
               if not name.endswith(".parked"))
