"""core.broker.BoundedPublisher refuses a publish option that neither kombu
nor AMQP knows: kombu would take it for a message property and py-amqp leave
it out of the frame, so the caller's wish (nameko's ``use_confirms=False``)
would be dropped without a word. The message goes out on the real broker in
tests/integration/test_bounded_publisher.py; here, refused before any
connection (the port has no broker: a publish that got so far would fail
with a broker error, not the TypeError)."""
import pytest

from core.broker import BoundedPublisher
from deploy.stack import free_port


@pytest.mark.parametrize("option", [{"use_confirms": False}, {"use_confirms": True},
                                    {"reply_too": "typo"}])
def test_an_option_kombu_would_drop_is_refused_by_name_before_any_connection(option):
    publisher = BoundedPublisher(f"amqp://guest:guest@127.0.0.1:{free_port()}/")
    with pytest.raises(TypeError, match=f"{next(iter(option))} is neither"):
        publisher.publish({"n": 1}, exchange="", routing_key="q", **option)
