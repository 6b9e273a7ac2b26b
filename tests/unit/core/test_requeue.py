"""A reply that could not be published (its pooled connection may be the one
that died with a cluster node, while the consumer's lives on another) hands
its request back to the broker at once (core.broker.ReliableRpc), instead of
leaving it unacked on a live channel that holds it until the process ends."""
from types import SimpleNamespace
from unittest import mock

from core.broker import ReliableRpc


def test_a_reply_that_could_not_be_published_hands_the_request_back():
    entrypoint = ReliableRpc.__new__(ReliableRpc)
    entrypoint.rpc_consumer = mock.Mock()
    failed = SimpleNamespace(channel=None, delivery_tag=7)
    with mock.patch("nameko.rpc.Rpc.handle_result", side_effect=BrokenPipeError()):
        entrypoint.handle_result(failed, "worker", None, None)
    entrypoint.rpc_consumer.queue_consumer.requeue_message.assert_called_once_with(failed)


def test_a_requeue_on_a_dead_connection_is_left_to_the_broker():
    entrypoint = ReliableRpc.__new__(ReliableRpc)
    entrypoint.rpc_consumer = mock.Mock()
    entrypoint.rpc_consumer.queue_consumer.requeue_message.side_effect = ConnectionResetError()
    with mock.patch("nameko.rpc.Rpc.handle_result", side_effect=BrokenPipeError()):
        assert entrypoint.handle_result(SimpleNamespace(), "worker", "r", None) == ("r", None)
