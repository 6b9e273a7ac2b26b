"""A handler that keeps failing on one message: after its retries the message
is parked, where `python -m deploy.parked` lists it; the rest of the queue
keeps flowing; once the cause is fixed, a replay delivers it. A message that
breaks its contract is parked at once, without retries."""
import json
from datetime import date

import pytest
from kombu import Connection

from core import events
from tests.faults.support import (
    assert_nothing_lost,
    eventually,
    new_case_number,
    new_phone,
    parked_command,
    parked_list,
    payload,
    publish,
    rpc,
    service_log,
    sms_lines,
    submit,
)
from tests.kit import sealed

NOTIFY_ROUTED = "evt-routing-petition_routed--notify.on_petition_routed"
TRACKING_ROUTED = "evt-routing-petition_routed--tracking.on_petition_routed"


def routed_event(case_number, **changes):
    return payload(events.PETITION_ROUTED, **{
        "case_number": case_number, "area_code": "370102", "unit_code": "370102-ZJJ",
        "unit_name": "历下区住房和城乡建设局", "category": "housing", "track": "standard",
        "due_date": date(2031, 1, 10), "reason": "故障测试", "routing_seq": 1, **changes})


def parked(stack, queue):
    """How many messages ``queue`` has parked, straight from the broker."""
    with Connection(stack.env["AMQP_URI"]) as conn:
        return conn.default_channel.queue_declare(f"{queue}.parked", passive=True).message_count


def status_sms(stack, case_number):
    return [line for line in sms_lines(stack) if case_number in line and "已转交" in line]


@pytest.mark.timeout(120)
def test_poison_message_is_parked_and_replayed_once_fixed(stack):
    before = parked(stack, NOTIFY_ROUTED)
    case_number = new_case_number()
    # The petitioner's contact never arrives: notify cannot tell anyone.
    poison = routed_event(case_number)
    publish(stack, events.PETITION_ROUTED, poison)
    assert eventually(lambda: parked(stack, NOTIFY_ROUTED) == before + 1, timeout=30)
    assert parked_list(stack)[f"{NOTIFY_ROUTED}.parked"] == before + 1  # what operators see
    log = service_log(stack, "notify")
    assert f"{NOTIFY_ROUTED} failed (attempt 2)" in log, log[-2000:]
    assert f"{NOTIFY_ROUTED}: parking message: failed 3 times" in log, log[-2000:]
    shown = parked_command(stack, "show", f"{NOTIFY_ROUTED}.parked")
    assert case_number in shown and "RecipientUnknown" in shown, shown

    # The queue still flows for everyone else.
    others = [submit(stack) for _ in range(3)]
    assert_nothing_lost(stack, others, timeout=60)
    for receipt in others:
        number = receipt["case_number"]
        assert eventually(lambda n=number: status_sms(stack, n)), receipt

    # Fix the cause, replay: the status SMS goes out, once.
    phone = new_phone()
    publish(stack, events.PETITIONER_CONTACT, payload(
        events.PETITIONER_CONTACT, case_number=case_number, area_code="370102", unit_code=None,
        sealed=sealed(stack.env, phone=phone, query_code="FAUL-TTES-TCOD-E000")))
    with rpc(stack) as services:
        assert eventually(lambda: services.notify.query_code_sms_count(case_number) == 1)
    out = parked_command(stack, "replay", f"{NOTIFY_ROUTED}.parked")
    assert out.startswith(f"replayed {before + 1} message"), out
    assert eventually(lambda: status_sms(stack, case_number), timeout=30), \
        "the replayed event sent no SMS"
    assert parked(stack, NOTIFY_ROUTED) == 0
    assert len(status_sms(stack, case_number)) == 1
    assert all(f"\t{phone}\t" in line for line in status_sms(stack, case_number))


@pytest.mark.timeout(60)
def test_message_that_breaks_its_contract_is_parked_at_once(stack):
    before = {q: parked(stack, q) for q in (NOTIFY_ROUTED, TRACKING_ROUTED)}
    case_number = new_case_number()
    broken = {**routed_event(case_number), "routing_seq": 0, "track": "whenever"}
    publish(stack, events.PETITION_ROUTED, broken)
    assert eventually(lambda: all(parked(stack, q) == n + 1 for q, n in before.items()),
                      timeout=30), {q: parked(stack, q) for q in before}
    for queue in before:
        shown = [json.loads(line) for line in
                 parked_command(stack, "show", f"{queue}.parked").splitlines()
                 if line.startswith("{")]
        mine = [m for m in shown if m["payload"]["case_number"] == case_number]
        assert len(mine) == 1, shown
        assert "breaks the petition_routed contract" in mine[0]["reason"], mine
    # parked at once: no handler ran it, so no retry was ever logged for it
    for name in ("notify", "tracking"):
        assert not [line for line in service_log(stack, name).splitlines()
                    if "retrying" in line and case_number in line]
