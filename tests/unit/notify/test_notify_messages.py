"""Which messages the petitioner gets, and how they are kept."""
from datetime import date

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select, text

from core import events
from core.store import InboxEntry
from services.notify import messages
from services.notify.messages import RecipientUnknown
from services.notify.models import Message
from services.notify.service import NotifyService
from services.notify.templates import render

CASE, PHONE, QUERY_CODE = "JN20261125-000001", "13812345678", "K7Q2-M9XP-4TNA"


def _bodies(store, cipher):
    with store.transaction() as tx:
        return {m.template: cipher.decrypt(m.body_encrypted)
                for m in tx.session.scalars(select(Message))}


def test_contact_is_stored_encrypted_and_queues_the_query_code_sms(store, cipher, contact,
                                                                   opened):
    with store.transaction() as tx:
        messages.record_contact(tx, cipher, opened(contact()))

    assert _bodies(store, cipher) == {"query_code": (
        f"【济南网上信访】您的信访事项已提交，案件编号{CASE}，查询码{QUERY_CODE}。"
        "请妥善保管查询码，凭此查询办理进度并评价。")}
    with store.transaction() as tx:
        for table in ("recipients", "messages"):
            raw = str(tx.session.execute(text(f"SELECT * FROM {table}")).all())
            assert CASE in raw  # the rows are there...
            assert PHONE not in raw and QUERY_CODE not in raw  # ...without phone or code
        [listed] = messages.for_case(tx, CASE)
    assert listed["to"] == "138****5678" and listed["status"] == "pending"
    assert listed["template"] == "query_code" and listed["channel"] == "sms"
    assert "body" not in listed and listed["created_at"].endswith("+00:00")


def test_a_contact_delivered_twice_queues_one_query_code_sms(store, cipher, recording, contact,
                                                             opened):
    service = worker_factory(NotifyService, store=store, delivery=recording)
    event = contact()
    service.on_petitioner_contact(event)
    service.on_petitioner_contact(event)
    assert service.query_code_sms_count(CASE) == 1
    # and without the inbox, the unique key of the message still holds
    with store.transaction() as tx:
        messages.record_contact(tx, cipher, opened(event))
    assert service.query_code_sms_count(CASE) == 1
    assert service.status_counts() == {"pending": 1}


def test_a_status_event_waits_for_the_recipient(store, cipher, recording, contact, routed):
    service = worker_factory(NotifyService, store=store, delivery=recording)
    event = routed()
    with pytest.raises(RecipientUnknown):
        service.on_petition_routed(event)
    with store.transaction() as tx:  # nothing kept, not even the inbox entry
        assert tx.session.scalars(select(InboxEntry)).all() == []

    service.on_petitioner_contact(contact())
    service.on_petition_routed(event)  # the retry
    service.on_petition_routed(event)  # a redelivery
    assert [m["template"] for m in service.messages_for_case(CASE)] == ["query_code", "petition_routed"]
    routed_text = _bodies(store, cipher)["petition_routed"]
    assert routed_text == (f"【济南网上信访】您的信访事项（案件编号{CASE}）"
                           "已转交历下区住建局办理，办理期限至2026年12月9日。")
    assert QUERY_CODE not in routed_text


def test_the_units_answer_to_a_message_is_texted_the_petitioners_own_is_not(
        store, cipher, recording, contact):
    service = worker_factory(NotifyService, store=store, delivery=recording)
    service.on_petitioner_contact(contact())
    written = {by: events.MESSAGE_ADDED.load(events.MESSAGE_ADDED.build(
        case_number=CASE, area_code="370102", unit_code="370102-ZJJ", written_by=by, length=9))
        for by in events.WRITERS}
    service.on_message_added(written["petitioner"])
    service.on_message_added(written["staff"])
    service.on_message_added(written["staff"])  # a redelivery
    assert [m["template"] for m in service.messages_for_case(CASE)] == [
        "query_code", "message_answered"]
    assert _bodies(store, cipher)["message_answered"] == (
        f"【济南网上信访】责任单位已答复您的留言（案件编号{CASE}），请凭查询码在查询页查看。")


@pytest.mark.parametrize("contract, fields, expected", [
    (events.CASE_DECLINED, {"reason": "该事项已由人民法院受理"}, "不予受理。原因：该事项已由人民法院受理。"),
    (events.EXTENSION_APPROVED, {"until": date(2027, 1, 15), "reason": "需委托第三方检测"},
     "办理期限延至2027年1月15日。原因：需委托第三方检测。"),
    (events.REVIEW_ANSWERED, {"level": "rereview", "reviewing_unit": "370100-XFJ"}, "的复核意见已作出"),
])
def test_the_case_work_texts_the_petitioner_gets(contract, fields, expected):
    event = contract.load(contract.build(
        case_number="JN20261125-000001", area_code="370102", unit_code="370102-ZJJ",
        actor="li", from_state="routed", to_state="declined", **fields))
    text = render(event["event_type"], event)
    assert expected in text and "JN20261125-000001" in text
