"""kill -9 each service in the middle of a stream of submissions, start it
again: every petition the platform accepted (HTTP 201) ends routed and
tracked, its petitioner gets exactly one query-code SMS, no timeline entry is
doubled. Requests made while a service is down may fail (a connection error
while the gateway is down, a 503 while a service does not answer): they were
never accepted; but an error answer is always clean JSON, never a traceback."""
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.faults.support import (
    SubmissionStream,
    api,
    assert_nothing_lost,
    eventually,
    login,
    submit,
)

SATISFIED = {"service_attitude": "satisfied", "work_efficiency": "satisfied",
             "handling_quality": "satisfied"}


def kill_and_restart(stack, name, down_seconds=2):
    stack.stop(name, signal.SIGKILL)
    time.sleep(down_seconds)
    stack.start(name)
    if name == "gateway":
        stack.wait_until_ready()


def report(name, stream):
    print(f"\n[{name} killed] {len(stream.accepted)} accepted; outcomes: "
          f"{dict(stream.outcomes)}; unclean errors: {stream.bad_errors[:3]}")


@pytest.mark.timeout(240)
@pytest.mark.parametrize("name", ["intake", "routing", "tracking", "notify", "gateway"])
def test_kill_9_a_service_mid_stream_loses_nothing(stack, name):
    with SubmissionStream(stack) as stream:
        time.sleep(1.5)
        kill_and_restart(stack, name)
        time.sleep(2)  # the stream runs on against the restarted service
    report(name, stream)
    assert not stream.bad_errors, stream.bad_errors
    assert_nothing_lost(stack, stream.accepted)


@pytest.mark.timeout(240)
def test_kill_9_rating_catches_up_on_replies_and_ratings(stack):
    handler = login(stack, "lixia_housing")
    receipts = [submit(stack) for _ in range(6)]
    for r in receipts:
        path = f"/cases/{r['case_number']}/accept"
        assert eventually(lambda p=path: api(stack, "POST", p, handler).status_code == 200), r
    replied_before, replied_while_down = receipts[:3], receipts[3:]

    def reply(receipt):
        response = api(stack, "POST", f"/cases/{receipt['case_number']}/reply", handler,
                       json={"reply": "已处理。"})
        assert response.status_code == 200, response.text

    def rate(receipt):
        return requests.post(f"{stack.url}/api/v1/petitions/{receipt['query_code']}/rating",
                             json=SATISFIED, timeout=60)

    for r in replied_before:
        reply(r)
    assert eventually(lambda: rate(replied_before[0]).status_code == 201)

    with SubmissionStream(stack) as stream, ThreadPoolExecutor(4) as pool:
        time.sleep(2)
        stack.stop("rating", signal.SIGKILL)
        # meanwhile: replies rating has not heard of, ratings it cannot take yet
        for r in replied_while_down:
            reply(r)
        pending = [pool.submit(rate, r) for r in replied_before[1:]]
        time.sleep(3)
        stack.start("rating")
        time.sleep(3)
        during = [f.result() for f in pending]
    report("rating", stream)
    print(f"ratings sent while rating was down: {[r.status_code for r in during]}")
    assert not stream.bad_errors, stream.bad_errors

    # A rating made while rating was down either went through once it was back
    # (201) or failed cleanly (503); then the citizen rates again.
    for r, response in zip(replied_before[1:], during):
        assert response.status_code in (201, 503), response.text
        if response.status_code == 503:
            assert eventually(lambda r=r: rate(r).status_code == 201)
    # case_replied events published while rating was dead were not lost
    for r in replied_while_down:
        assert eventually(lambda r=r: rate(r).status_code == 201, timeout=60), r

    bureau = login(stack, "city_bureau")
    numbers = {r["case_number"] for r in receipts}
    assert eventually(lambda: numbers <= {c["case_number"] for c in api(
        stack, "GET", "/cases?status=concluded&limit=500", bureau).json()}, timeout=60), \
        "rated cases were not concluded"
    assert_nothing_lost(stack, receipts, statuses=("concluded",))
    assert_nothing_lost(stack, stream.accepted)
