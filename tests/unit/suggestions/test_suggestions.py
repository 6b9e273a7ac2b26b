"""People's suggestions with nameko's worker_factory on real SQLite stores:
the phone proven by intake's own code (a real intake worker, its code read
from its outbox as notify would), the workflow table run by one mechanism,
who may take each step, what the proposer is texted, publication masked, and
the steps it publishes as reports counts them per topic and department."""
from datetime import date, timedelta

import pytest
from nameko.testing.services import worker_factory

from core import events
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.reports.models import Base as ReportsBase
from services.reports.service import ReportsService
from services.reports.settings import Settings as ReportsSettings
from tests.kit import sqlite_store
from tests.unit.suggestions.conftest import (
    BUREAU,
    DEPARTMENT,
    OTHER_DEPARTMENT,
    PERSON,
    PROPOSAL,
    topic,
)


def test_from_submission_to_adoption_and_publication(world):
    opened = topic(world)
    assert opened["open"] and world.service.topics()[0]["id"] == opened["id"]
    receipt = world.propose(opened["id"])
    number, code = receipt["number"], receipt["query_code"]
    assert receipt["status"] == "submitted" and number.startswith("JY")
    assert code in world.texts()[0] and number in world.texts()[0]

    world.act(BUREAU, number, "accept")
    world.act(BUREAU, number, "forward", department="370100-ZJJ")
    world.act(DEPARTMENT, number, "adopt", answer="采纳，明年增设候车亭。",
              follow_up="2027年一季度完成主要线路候车亭建设。")
    world.act(BUREAU, number, "publish")

    mine = world.service.follow(code.lower().replace("-", ""))  # as typed, any way
    assert mine["status"] == "published" and mine["status_name"] == "已采纳并公开"
    assert [e["step"] for e in mine["timeline"]] == ["提交", "受理", "转交部门", "采纳", "公开"]
    # beside the Chinese, each step's name and text in English from the same rows of the table
    assert [e["step_en"] for e in mine["timeline"]] == [
        "Submitted", "Accepted", "Forwarded", "Adopted", "Published"]
    assert [e["text_en"] for e in mine["timeline"]][-2:] == [
        "The department answered: adopted",
        "The adopted suggestion and the answer were made public, without personal data"]
    assert mine["timeline"][-2]["text"] == "部门答复：采纳。采纳，明年增设候车亭。"
    assert mine["proposer"] == {"name": "王**", "id_number": "1101**********002X",
                                "phone": "138****5678"}
    assert len(world.texts()) == 4  # the code, accepted, adopted, published
    [shown] = world.service.published()
    assert shown["content"] == "候车亭可遮雨，联系电话138****5678" and shown["proposer"] == "市民"
    steps = [e for e in world.sent(world.store, events.SUGGESTION_STEP)]
    assert [s["action"] for s in steps] == ["submit", "accept", "forward", "adopt", "publish"]
    assert all("13812345678" not in str(s) and "王小明" not in str(s) for s in steps)


def test_who_may_take_each_step_and_when(world):
    opened = topic(world)
    number = world.propose(opened["id"])["number"]
    with pytest.raises(NotFound):  # a department sees only what was forwarded to it
        world.act(DEPARTMENT, number, "accept")
    with pytest.raises(Conflict):
        world.act(BUREAU, number, "forward", department="370100-ZJJ")
    world.act(BUREAU, number, "accept")
    with pytest.raises(InvalidInput) as outside:
        world.act(BUREAU, number, "forward", department="370100-JTYSJ")
    assert "department" in outside.value.details
    world.act(BUREAU, number, "forward", department="370100-ZJJ")
    with pytest.raises(Forbidden):
        world.act(BUREAU, number, "adopt", answer="采纳", follow_up="办")
    with pytest.raises(NotFound):
        world.act(OTHER_DEPARTMENT, number, "adopt", answer="采纳", follow_up="办")
    with pytest.raises(InvalidInput) as missing:
        world.act(DEPARTMENT, number, "not_adopt")
    assert set(missing.value.details) == {"answer"}
    world.act(DEPARTMENT, number, "not_adopt", answer="线路调整中，暂不采纳。")
    with pytest.raises(Conflict):
        world.act(BUREAU, number, "publish")


def test_merged_declined_and_kept_private(world):
    first = world.propose()["number"]
    org = {"name": "赵六", "id_number": "370102199003071238", "phone": "13987654321"}
    second = world.propose(person=org, organisation="泉城社区议事会")
    with pytest.raises(InvalidInput):
        world.act(BUREAU, second["number"], "merge", merged_into=second["number"], reason="同")
    world.act(BUREAU, second["number"], "merge", merged_into=first, reason="内容相同，合并办理")
    followed = world.service.follow(second["query_code"])
    assert followed["status"] == "merged" and followed["organisation"] == "泉城社区议事会"
    assert followed["timeline"][-1]["text"] == f"与相同内容的建议{first}合并办理"
    third = world.propose(publish=False)["number"]
    world.act(BUREAU, third, "accept")
    world.act(BUREAU, third, "forward", department="370100-ZJJ")
    world.act(DEPARTMENT, third, "adopt", answer="采纳", follow_up="落实")
    with pytest.raises(Conflict):  # the proposer did not agree to publication
        world.act(BUREAU, third, "publish")
    world.act(BUREAU, first, "decline", reason="不属于本次征集范围")
    assert "不属于本次征集范围" in world.texts()[-1]


def test_bad_input_and_a_wrong_code_store_nothing(world):
    with pytest.raises(InvalidInput) as wrong:
        world.service.submit({**PERSON, **PROPOSAL, "sms_code": "000000"}, "x")
    assert set(wrong.value.details) == {"sms_code"}
    with pytest.raises(InvalidInput) as bad:
        world.service.submit({**PERSON, "title": "", "content": "内容", "area_code": "37",
                              "sms_code": "1"}, "y")
    assert {"title", "area_code", "sms_code"} <= set(bad.value.details)
    closed = topic(world, opens_on="2020-01-01", closes_on="2020-02-01")
    with pytest.raises(InvalidInput) as late:
        world.propose(closed["id"])
    assert "topic_id" in late.value.details
    assert world.texts() == []
    with pytest.raises(Forbidden):
        world.staff.open_topic({}, world.token(DEPARTMENT))
    with pytest.raises(NotFound):
        world.service.follow("AAAA-BBBB-CCCC-DDDD")


def test_its_steps_are_what_reports_counts(world, tmp_path):
    """The figures per topic and department are reports' (its own store): the
    steps this service publishes, consumed by a reports worker, give them."""
    opened = topic(world)
    numbers = [world.propose(opened["id"])["number"] for _ in range(3)]
    for number in numbers[:2]:
        world.act(BUREAU, number, "accept")
        world.act(BUREAU, number, "forward", department="370100-ZJJ")
    world.act(DEPARTMENT, numbers[0], "adopt", answer="采纳", follow_up="落实")
    world.act(DEPARTMENT, numbers[1], "not_adopt", answer="暂不采纳")
    world.act(BUREAU, numbers[2], "decline", reason="重复")
    world.act(BUREAU, numbers[0], "publish")
    with sqlite_store(f"sqlite:///{tmp_path}/reports.db", ReportsBase) as store:
        reports = worker_factory(ReportsService, store=store, settings=ReportsSettings.from_config({}))
        for step in world.sent(world.store, events.SUGGESTION_STEP):
            reports.on_suggestion_step(events.SUGGESTION_STEP.load(step))
        today = date.today()
        figures = reports.suggestion_figures({"period": "range",
                                              "from": (today - timedelta(days=1)).isoformat(),
                                              "to": (today + timedelta(days=1)).isoformat()})
    [row] = figures["topics"]
    assert (row["key"], row["name"], row["received"], row["accepted"], row["forwarded"],
            row["answered"], row["adopted"], row["not_adopted"], row["declined"],
            row["published"]) == (str(opened["id"]), "公交出行征集建议", 3, 2, 2, 2, 1, 2, 1, 1)
    [unit] = figures["departments"]
    assert (unit["key"], unit["received"], unit["adoption_rate"]) == ("370100-ZJJ", 2, 0.5)
    assert with_no_personal_data(figures)


def with_no_personal_data(answer):
    return not any(value in str(answer) for value in (*PERSON.values(), "13812345678"))
