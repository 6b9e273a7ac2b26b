"""A declared table of events that all get one treatment (core.handlers.handle_each)
gives one handler each, named as a handler written out, so the queues and the
topology are what they would be written out; and it never replaces one. What a
handler does is shown by the services' own tests (notify's status texts,
reports' projections) on real stores."""
import pytest

from core import events
from core.handlers import handle_each, handler_queues, handles

CONFIG = {"AMQP_URI": "amqp://unused/"}


class Written:
    name = "svc"

    @handles(events.CASE_REPLIED)
    def on_case_replied(self, tx, event):
        pass


def test_each_row_gets_the_queue_a_handler_written_out_would_have():
    class Table:
        name = "svc"
    handle_each(Table, (events.CASE_REPLIED, events.CASE_DECLINED), lambda *args: None)

    written = handler_queues([Written], CONFIG)
    table = {q.contract.event_type: q for q in handler_queues([Table], CONFIG)}
    assert sorted(table) == ["case_declined", "case_replied"]
    assert table["case_replied"] == written[0]
    assert table["case_declined"].main == "evt-tracking-case_declined--svc.on_case_declined"
    assert Table.on_case_declined.__name__ == "on_case_declined"  # its log lines' name


def test_a_handler_written_out_is_never_replaced():
    with pytest.raises(TypeError, match="Written.on_case_replied is declared twice"):
        handle_each(Written, (events.CASE_REPLIED,), lambda *args: None)
