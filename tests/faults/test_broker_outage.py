"""RabbitMQ goes away in the middle of a stream of submissions and comes
back: no accepted petition is lost, every service is still running and the
pipeline catches up by itself.

Stops the machine's broker (`rabbitmqctl stop_app`) for a few seconds: every
other user of it is affected, so run the fault tests alone."""
import subprocess
import time

import pytest

from tests.faults.support import (
    VALID,
    SubmissionStream,
    assert_nothing_lost,
    eventually,
    new_phone,
    prepare_codes,
    submit_petition,
)

OUTAGE_SECONDS = 8


def rabbitmqctl(*args, timeout=120):
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def broker_outage(seconds):
    try:
        assert rabbitmqctl("stop_app").returncode == 0
        time.sleep(seconds)
    finally:
        rabbitmqctl("start_app")
        started = rabbitmqctl("await_startup")
        assert started.returncode == 0, started.stderr


def try_submit(stack):
    phone = new_phone()
    try:
        response = submit_petition(stack, {**VALID, "phone": phone})
    except (OSError, AssertionError):  # no code while the broker is away
        return None
    return response.status_code == 201 and {**response.json(), "phone": phone}


RATE = 10
# Codes asked for before the outage, enough for the whole stream (2 s before,
# the outage, 5 s after, at RATE a second, with room): a code cannot be sent
# while the broker is away, and a citizen who got no code is not a lost petition.
CODES_AHEAD = RATE * (2 + OUTAGE_SECONDS + 5) * 3 // 2


@pytest.mark.timeout(400)
def test_broker_outage_mid_stream_loses_nothing(fresh_stack):
    stack = fresh_stack
    stack.start_all()
    codes = prepare_codes(stack, CODES_AHEAD)
    with SubmissionStream(stack, rate=RATE, request_timeout=45, codes=codes) as stream:
        time.sleep(2)
        broker_outage(OUTAGE_SECONDS)
        time.sleep(5)
    print(f"\n[broker stopped {OUTAGE_SECONDS}s] {len(stream.accepted)} accepted; "
          f"outcomes: {dict(stream.outcomes)}; unclean errors: {stream.bad_errors[:3]}")
    exited = {name: p.returncode for name, p in stack.processes.items() if p.poll() is not None}
    assert not exited, f"services exited when the broker went away: {exited}"
    assert not stream.bad_errors, stream.bad_errors

    assert stream.outcomes[201] >= RATE, f"too few accepted to prove anything: {stream.outcomes}"
    # The platform takes petitions again by itself (a new code reaches a new
    # phone: the code SMS recovers too), and nothing accepted is lost.
    after = eventually(lambda: try_submit(stack), timeout=60)
    assert after, "no petition accepted within 60 s of the broker's return"
    assert_nothing_lost(stack, stream.accepted + [after], timeout=90)
