"""The running platform for end-to-end and fault tests: every service as its
own process (deploy.stack.LocalStack, deploy.serve) on a throw-away vhost,
and the few HTTP helpers the tests drive it with."""
import functools
import re
import time
import uuid
from contextlib import contextmanager

import requests

from deploy.rabbitmq import rabbitmqctl, throwaway_vhost
from deploy.stack import LIMITS_LIFTED, LocalStack, SharedUsers, free_port

VALID = {
    "name": "张三", "id_number": "11010519491231002X", "phone": "13812345678",
    "title": "小区电梯长期停运", "content": "历下区某小区3号楼电梯停运两个月，物业不予维修。",
    "category": "housing", "area_code": "370102",
}
# Short enough for a test to see relays, retries and parking happen.
TEST_ENV = {"OUTBOX_POLL_SECONDS": "0.5", "EVENT_RETRY_DELAYS": "[0.2, 0.5]",
            "LOG_LEVEL": "WARNING"}
PHONE_CODE_SMS = re.compile(r"验证码为(\d{6})")
# The services' broker users, one set for every stack of the run (each on a
# vhost of its own), deleted when the run ends (tests/conftest.py).
STACK_USERS = SharedUsers(prefix=f"stacks-{uuid.uuid4().hex[:12]}")


@contextmanager
def running_stack(var_dir, secrets_env, start=True, env=None, limits_lifted=True,
                  cluster=None):
    """A prepared stack (migrated, seeded, topology declared), started unless
    ``start`` is false; stopped and its vhost deleted afterwards. The flood
    limits are lifted (the tests submit hundreds of petitions from one address
    and one ID number) unless ``limits_lifted`` is false (tests/security).
    On a throw-away vhost of the local broker, or on ``cluster``'s vhost
    (deploy.cluster.LocalCluster: every node's URL, its own rabbitmqctl)."""
    with _broker(cluster) as (amqp_uri, ctl):
        stack = LocalStack(var_dir, port=free_port(), ctl=ctl, users=STACK_USERS, env={
            "AMQP_URI": amqp_uri, **secrets_env, **TEST_ENV,
            **(LIMITS_LIFTED if limits_lifted else {}), **(env or {})})
        stack.prepare()
        try:
            if start:
                stack.start_all()
            yield stack
        finally:
            stack.stop_all()


@contextmanager
def _broker(cluster):
    if cluster is not None:
        yield cluster.amqp_uri, cluster.ctl_any
        return
    with throwaway_vhost(service_users=False) as amqp_uri:  # STACK_USERS' are the run's
        yield amqp_uri, rabbitmqctl


def api(stack, method, path, token=None, timeout=30, **kwargs):
    headers = {**({"Authorization": f"Bearer {token}"} if token else {}),
               **kwargs.pop("headers", {})}
    return requests.request(method, f"{stack.url}/api/v1{path}", headers=headers,
                            timeout=timeout, **kwargs)


def request_code(stack, phone, id_number, client=None):
    """Ask for the code proving ``phone``; the code itself, as the citizen
    reads it on the phone (the record SMS provider's log). ``client``: a
    callable as ``api`` without the stack (another address), default ``api``."""
    call = client or functools.partial(api, stack)
    before = len(phone_codes_sent(stack, phone))
    response = call("POST", "/phone-codes", json={"phone": phone, "id_number": id_number})
    assert response.status_code == 202, response.text
    codes = eventually(lambda: (c := phone_codes_sent(stack, phone)) and len(c) > before and c)
    assert codes, f"no code reached {phone}"
    return codes[-1]


def phone_codes_sent(stack, phone):
    return [m[1] for line in sms_lines(stack, codes=True) if f"\t{phone}\t" in line
            for m in [PHONE_CODE_SMS.search(line)] if m]


def submit_petition(stack, body, timeout=30, client=None):
    """POST a petition as a citizen does: ask for the code, read it off the
    phone, submit with it. The response, whatever it is."""
    call = client or functools.partial(api, stack)
    code = request_code(stack, body["phone"], body["id_number"], call)
    return call("POST", "/petitions", json={**body, "sms_code": code}, timeout=timeout)


def login(stack, username):
    response = api(stack, "POST", "/auth/token",
                   json={"username": username, "password": "petition-demo"})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def eventually(probe, timeout=30):
    """Poll until ``probe`` returns a truthy value (events take a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def follow(stack, code):
    response = api(stack, "GET", f"/petitions/{code}")
    assert response.status_code == 200, response.text
    return response.json()


def sms_lines(stack, codes=False):
    """What the citizens' phones received: the record SMS provider's log;
    without the codes that prove a phone unless ``codes``."""
    log = stack.var_dir / "sms.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return lines if codes else [line for line in lines if not PHONE_CODE_SMS.search(line)]
