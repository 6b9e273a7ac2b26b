"""A timed RPC call (core.broker.TimedRpcProxy) gives up on the reply, never
in the middle of its publish: a publish cut while py-amqp read the broker's
confirm left its pooled connection broken for every later call. The publish
is bounded by its own confirm timeout, which fails the call cleanly."""
import socket
from types import SimpleNamespace

import eventlet
import pytest

from core.broker import TimedRpcProxy, _TimedService
from core.errors import ServiceUnavailable


class Reply:
    def __init__(self, answer_after):
        self.answer_after = answer_after

    def result(self):
        eventlet.sleep(self.answer_after)
        return "answer"


class Method:
    """A nameko MethodProxy: ``call_async`` publishes, the reply is awaited."""

    def __init__(self, publish_takes=0.0, answer_after=0.0, publish_error=None):
        self.publish_takes, self.answer_after = publish_takes, answer_after
        self.publish_error = publish_error
        self.published = 0

    def call_async(self, *args, **kwargs):
        eventlet.sleep(self.publish_takes)
        if self.publish_error:
            raise self.publish_error
        self.published += 1
        return Reply(self.answer_after)


class Proxy:
    def __init__(self, method):
        self.submit = method


def test_a_slow_publish_is_not_cut_only_the_wait_for_the_reply():
    method = Method(publish_takes=0.3, answer_after=1)
    service = _TimedService(Proxy(method), "intake", timeout=0.2, idempotent=())
    with pytest.raises(ServiceUnavailable, match="did not answer in time"):
        service.submit()
    assert method.published == 1  # the publish finished although it outlasted the timeout


def test_an_answer_within_the_timeout_is_returned():
    service = _TimedService(Proxy(Method(answer_after=0.05)), "intake", timeout=1, idempotent=())
    assert service.submit() == "answer"


def test_a_confirm_that_never_came_is_a_503_not_a_500():
    method = Method(publish_error=socket.timeout("timed out"))
    service = _TimedService(Proxy(method), "intake", timeout=1, idempotent=())
    with pytest.raises(ServiceUnavailable, match="not reachable"):
        service.submit()


def test_the_publish_s_own_bounds_keep_the_call_near_its_timeout():
    """Confirm waits and retries of the publish (not cut by the green timeout)
    add up to the call's timeout, not nameko's default of three retries 2, 4
    and 6 s apart, each waiting the whole timeout for its confirm."""
    proxy = TimedRpcProxy("intake")
    proxy.container = SimpleNamespace(config={"RPC_TIMEOUT_SECONDS": 10})
    proxy.setup()
    policy = proxy.options["retry_policy"]
    attempts = policy["max_retries"] + 1
    waits = sum(min(policy["interval_start"] + n * policy["interval_step"], policy["interval_max"])
                for n in range(policy["max_retries"]))
    assert attempts * proxy.options["confirm_timeout"] + waits <= 10
    assert attempts >= 2  # a connection lost to a dead node is tried again once
