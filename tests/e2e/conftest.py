import socket

import pytest

from deploy.local import LocalStack
from tests.conftest import throwaway_vhost


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, secrets_env):
    """Every service as its own process (``nameko run``), as ``make run`` starts
    them, on a vhost and stores of this module's own."""
    with throwaway_vhost() as amqp_uri:
        stack = LocalStack(tmp_path_factory.mktemp("var"), port=_free_port(), env={
            "AMQP_URI": amqp_uri, **secrets_env,
            "OUTBOX_POLL_SECONDS": "0.5", "LOG_LEVEL": "WARNING"})
        stack.prepare()
        try:
            stack.start_all()
            yield stack
        finally:
            stack.stop_all()
