"""Messages (留言) through intake's entrypoints (worker_factory, real store):
the petitioner writes by query code, the handling unit answers, the case's
staff read (audited), the text encrypted at rest and never in an event."""
import logging

import pytest
from sqlalchemy import select, text

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.store import OutboxMessage
from services.intake.messages import MAX_PETITIONER_MESSAGES
from services.intake.schemas import MESSAGE_MAX_CHARS
from tests.unit.intake.conftest import BUREAU, HANDLER, OTHER_UNIT, token

WORDS = "漏水已持续两周，楼下张阿姨家天花板也湿了。"


def test_petitioner_writes_the_unit_answers_both_see_the_thread(
        service, receipt, signer, tracking, engine, caplog):
    caplog.set_level(logging.DEBUG)
    code, case_number = receipt["query_code"], receipt["case_number"]
    mine = service.leave_message(code, {"text": WORDS})
    assert (mine["text"], mine["written_by"], mine["author"]) == (WORDS, "petitioner", None)
    # a double tap is the one message
    assert service.leave_message(code, {"text": WORDS})["id"] == mine["id"]
    staff = token(signer, HANDLER)
    answer = service.answer_message(case_number, staff, {"text": "已安排下周二上门查看。"})
    assert (answer["written_by"], answer["unit_code"], answer["author"]) == (
        "staff", HANDLER["unit_code"], "lixia_housing")

    seen = service.petitioner_messages(code)
    assert [(m["written_by"], m["author"]) for m in seen] == [("petitioner", None), ("staff", None)]
    assert [m["text"] for m in service.case_messages(case_number, staff)] == [
        WORDS, "已安排下周二上门查看。"]
    assert [(e["actor"], e["action"]) for e in service.audit_log(case_number)] == [
        ("lixia_housing", "read_messages")]
    with engine.connect() as conn:
        stored = " ".join(conn.execute(text("SELECT text_encrypted FROM messages")).scalars())
        payloads = conn.execute(select(OutboxMessage.payload).where(
            OutboxMessage.routing_key == "message_added")).scalars().all()
    assert "漏水" not in stored and "张阿姨" not in stored
    assert [(p["written_by"], p["length"], p["unit_code"]) for p in payloads] == [
        ("petitioner", len(WORDS), None), ("staff", 11, HANDLER["unit_code"])]
    assert "漏水" not in str(payloads) and "漏水" not in caplog.text


def test_the_bureau_reads_only_the_handling_unit_answers_and_others_see_nothing(
        service, receipt, signer):
    code, case_number = receipt["query_code"], receipt["case_number"]
    service.leave_message(code, {"text": WORDS})
    bureau = token(signer, BUREAU)
    assert len(service.case_messages(case_number, bureau)) == 1
    with pytest.raises(Forbidden):
        service.answer_message(case_number, bureau, {"text": "请承办单位答复"})
    other = token(signer, OTHER_UNIT)
    for call in (lambda: service.case_messages(case_number, other),
                 lambda: service.answer_message(case_number, other, {"text": "x"})):
        with pytest.raises(NotFound):
            call()
    assert [e["actor"] for e in service.audit_log(case_number)] == ["lixia_xfj"]


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": " \u200b\n"},
                                  {"text": "字" * (MESSAGE_MAX_CHARS + 1)}, {"text": 12}])
def test_a_message_is_visible_text_within_the_limit(service, receipt, body):
    with pytest.raises(InvalidInput) as bad:
        service.leave_message(receipt["query_code"], body)
    assert "text" in bad.value.details


def test_no_message_on_a_closed_case_nor_past_the_limit(service, receipt, tracking, monkeypatch):
    code = receipt["query_code"]
    monkeypatch.setattr("services.intake.messages.MAX_PETITIONER_MESSAGES", 2)
    service.leave_message(code, {"text": "一"})
    service.leave_message(code, {"text": "二"})
    with pytest.raises(Conflict, match="at most 2 messages"):
        service.leave_message(code, {"text": "三"})
    tracking.status = "declined"
    with pytest.raises(Conflict) as closed:
        service.leave_message(code, {"text": "四"})
    assert "status" in closed.value.details
    assert MAX_PETITIONER_MESSAGES == 50


def test_an_unknown_query_code_is_not_found(service):
    with pytest.raises(NotFound):
        service.leave_message("0000-0000-0000-0000", {"text": WORDS})
    with pytest.raises(NotFound):
        service.petitioner_messages("0000-0000-0000-0000")
