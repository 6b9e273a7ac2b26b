"""The running platform for end-to-end and fault tests: every service as its
own ``nameko run`` process (deploy.stack.LocalStack) on a throw-away vhost,
and the few HTTP helpers the tests drive it with."""
import time
from contextlib import contextmanager

import requests

from deploy.rabbitmq import throwaway_vhost
from deploy.stack import LocalStack, free_port

VALID = {
    "name": "张三", "id_number": "11010519491231002X", "phone": "13812345678",
    "title": "小区电梯长期停运", "content": "历下区某小区3号楼电梯停运两个月，物业不予维修。",
    "category": "housing", "area_code": "370102",
}
# Short enough for a test to see relays, retries and parking happen.
TEST_ENV = {"OUTBOX_POLL_SECONDS": "0.5", "EVENT_RETRY_DELAYS": "[0.2, 0.5]",
            "LOG_LEVEL": "WARNING"}


@contextmanager
def running_stack(var_dir, secrets_env, start=True, env=None):
    """A prepared stack (migrated, seeded, topology declared), started unless
    ``start`` is false; stopped and its vhost deleted afterwards."""
    with throwaway_vhost() as amqp_uri:
        stack = LocalStack(var_dir, port=free_port(), env={
            "AMQP_URI": amqp_uri, **secrets_env, **TEST_ENV, **(env or {})})
        stack.prepare()
        try:
            if start:
                stack.start_all()
            yield stack
        finally:
            stack.stop_all()


def api(stack, method, path, token=None, timeout=30, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{stack.url}/api/v1{path}", headers=headers,
                            timeout=timeout, **kwargs)


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


def sms_lines(stack):
    """What the citizens' phones received: the record SMS provider's log."""
    log = stack.var_dir / "sms.log"
    return log.read_text().splitlines() if log.exists() else []
