"""The webhook signature as a receiver checks it (docs/webhooks.md), and a
real receiver refusing a changed body or an old timestamp."""
import json
import time

import requests

from services.notify.webhooks import SIGNATURE_HEADER, sign, verify
from tests.servers import received, running

SECRET = "whsec-test-1"
BODY = json.dumps({"delivery_id": "d-1", "kind": "case_assigned"}).encode()


def test_only_this_body_with_this_secret_and_a_fresh_timestamp_verifies():
    now = time.time()
    header = sign(SECRET, now, BODY)
    assert verify(SECRET, header, BODY, now=now + 10)
    assert not verify(SECRET, header, BODY.replace(b"d-1", b"d-2"), now=now)
    assert not verify("another-secret", header, BODY, now=now)
    assert not verify(SECRET, header, BODY, now=now + 301)  # an old timestamp: a replay
    assert not verify(SECRET, header.replace("t=", "t=1"), BODY, now=now)
    assert not verify(SECRET, None, BODY) and not verify(SECRET, "garbage", BODY)


def test_a_receiver_refuses_a_changed_body_and_an_old_timestamp(tmp_path):
    with running("webhook_receiver", tmp_path, SECRET, 0) as port:
        url = f"http://127.0.0.1:{port}/hooks"

        def post(body, signed_body, at):
            return requests.post(url, data=body, timeout=5,
                                 headers={SIGNATURE_HEADER: sign(SECRET, at, signed_body)})
        assert post(BODY, BODY, time.time()).status_code == 200
        assert post(BODY.replace(b"d-1", b"d-9"), BODY, time.time()).status_code == 401
        assert post(BODY, BODY, time.time() - 3600).status_code == 401
    assert [r["valid"] for r in received(tmp_path)] == [True, False, False]


def test_during_a_rotation_either_secret_verifies_the_one_header():
    now = time.time()
    header = sign("new-secret", now, BODY, SECRET)
    assert header.count("v1=") == 2
    assert verify("new-secret", header, BODY, now=now) and verify(SECRET, header, BODY, now=now)
    assert not verify("a-third-secret", header, BODY, now=now)
    assert not verify(SECRET, header, BODY + b" ", now=now)
    assert not verify(SECRET, f"t={int(now)},t={int(now)},v1=x", BODY, now=now)
