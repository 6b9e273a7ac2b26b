"""People's suggestions end to end, every service its own process over HTTP:
the bureau opens a topic; a citizen proves the phone (POST /phone-codes),
proposes under it and is texted the query code; the bureau accepts and
forwards it to a topic's department, which adopts it; the bureau publishes
it; the proposer follows every step by the query code and is texted at each;
the published proposal and reports' figures of it carry no personal data. Also an
organisation's proposal merged with the first, and one declined with the
reason."""
import re
import time
from datetime import date, timedelta

import pytest

from tests.e2e.browser import run_script, unwritten_screenshots
from tests.stack import api, eventually, login, request_code, sms_lines

pytestmark = pytest.mark.e2e

CITIZEN = {"name": "王小明", "id_number": "11010519491231002X", "phone": "13812345678"}
ORGANISATION = {"name": "赵六", "id_number": "370102199003071238", "phone": "13987654321",
                "organisation": "泉城社区居民议事会"}
PROPOSAL = {"title": "建议在老旧小区加装电梯时统一规划",
            "content": "加装电梯涉及管线迁移，建议住建部门统一规划，联系人电话13812345678。",
            "area_code": "370102"}
PERSONAL = re.compile(r"\d{17}[\dX]|1[3-9]\d{9}|王小明|赵六")


def propose(stack, person, topic_id, **extra):
    code = request_code(stack, person["phone"], person["id_number"])
    response = api(stack, "POST", "/suggestions", json={
        **person, **PROPOSAL, "topic_id": topic_id, "sms_code": code, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def step(stack, token, number, action, **body):
    response = api(stack, "POST", f"/proposals/{number}/{action}", token, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def texts(stack, number):
    return [line for line in sms_lines(stack) if number in line]


def test_a_proposal_under_a_topic_to_adoption_and_publication(stack):
    bureau, department = login(stack, "city_bureau"), login(stack, "city_housing")
    today = date.today()
    opened = api(stack, "POST", "/suggestion-topics", bureau, json={
        "title": "老旧小区改造征集建议", "description": "围绕加装电梯、管网改造征集建议",
        "area_code": "370100", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "departments": ["370100-ZJJ"]})
    assert opened.status_code == 201, opened.text
    topic = opened.json()
    listed = api(stack, "GET", "/suggestion-topics").json()
    assert any(t["id"] == topic["id"] and t["open"] for t in listed)
    assert api(stack, "POST", "/suggestion-topics", department, json={
        **{k: topic[k] for k in ("title", "description", "area_code", "opens_on", "closes_on",
                                 "departments")}}).status_code == 403

    receipt = propose(stack, CITIZEN, topic["id"])
    number, code = receipt["number"], receipt["query_code"]
    assert receipt["status"] == "submitted"
    # the query code reaches the proposer's phone, and only there
    assert eventually(lambda: any(code in line for line in texts(stack, number)))

    mine = api(stack, "GET", f"/suggestions/{code}").json()
    assert mine["status"] == "submitted" and mine["topic_title"] == "老旧小区改造征集建议"
    assert mine["proposer"] == {"name": "王**", "id_number": "1101**********002X",
                                "phone": "138****5678"}

    # the bureau reviews; the department may not, and nothing skips a step
    assert api(stack, "POST", f"/proposals/{number}/accept", department).status_code == 404
    assert api(stack, "POST", f"/proposals/{number}/forward", bureau,
               json={"department": "370100-ZJJ"}).status_code == 409
    step(stack, bureau, number, "accept")
    wrong = api(stack, "POST", f"/proposals/{number}/forward", bureau,
                json={"department": "370100-JTYSJ"})
    assert wrong.status_code == 400 and "department" in wrong.json()["details"]
    step(stack, bureau, number, "forward", department="370100-ZJJ")

    # an organisation's proposal on the same matter is merged with it;
    # another is declined with the reason
    other = propose(stack, ORGANISATION, topic["id"])
    step(stack, bureau, other["number"], "merge", merged_into=number, reason="内容相同，合并办理")
    third = propose(stack, ORGANISATION, None, title="建议取消小区门禁")
    step(stack, bureau, third["number"], "decline", reason="涉及业主自治事项")
    assert api(stack, "GET", f"/suggestions/{third['query_code']}").json()["status"] == \
        "not_adopted"

    # the department answers: adopted, and what follows. Of this test's
    # proposals only the forwarded one is in its queue (the stack is shared:
    # tests/e2e/conftest.py; the lists are read for this test's proposals)
    ours = {number, other["number"], third["number"]}
    queue = api(stack, "GET", "/proposals", department).json()
    assert [p["number"] for p in queue if p["number"] in ours] == [number]
    missing = api(stack, "POST", f"/proposals/{number}/adopt", department,
                  json={"answer": "采纳"})
    assert missing.status_code == 400 and "follow_up" in missing.json()["details"]
    step(stack, department, number, "adopt", answer="采纳。加装电梯将纳入片区统一规划。",
         follow_up="2027年起在老旧小区改造项目中统一设计管线迁移方案。")
    step(stack, bureau, number, "publish")

    followed = api(stack, "GET", f"/suggestions/{code}").json()
    assert followed["status"] == "published"
    assert [e["step"] for e in followed["timeline"]] == ["提交", "受理", "转交部门", "采纳", "公开"]
    assert [e["step_en"] for e in followed["timeline"]][-1] == "Published"
    assert followed["answer"].startswith("采纳") and followed["follow_up"]
    # texted: the code, accepted, adopted, published
    assert eventually(lambda: len(texts(stack, number)) == 4), texts(stack, number)
    assert eventually(lambda: len(texts(stack, other["number"])) == 2)

    public = api(stack, "GET", "/public/suggestions")
    assert public.status_code == 200 and not PERSONAL.search(public.text)
    [shown] = [p for p in public.json() if p["number"] in ours]
    assert shown["number"] == number and shown["proposer"] == "市民"
    assert "138****5678" in shown["content"] and shown["follow_up"]

    # the figures are reports', from the steps' events: public, for this topic
    def topic_figures():
        figures = api(stack, "GET", "/reports/suggestions", params={"topic": topic["id"]})
        assert figures.status_code == 200 and not PERSONAL.search(figures.text)
        [row] = figures.json()["topics"] or [None]
        return row and row["published"] == 1 and figures.json()
    figures = eventually(topic_figures)
    assert figures, api(stack, "GET", "/reports/suggestions", params={"topic": topic["id"]}).text
    [row] = figures["topics"]
    assert row["key"] == str(topic["id"]) and row["name"] == "老旧小区改造征集建议"
    assert (row["received"], row["accepted"], row["merged"], row["forwarded"], row["answered"],
            row["adopted"], row["published"]) == (2, 1, 1, 1, 1, 1, 1)
    [unit] = figures["departments"]
    assert unit["key"] == "370100-ZJJ" and unit["adoption_rate"] == 1.0
    # the declined one was under no topic: counted there, not under this one
    assert row["declined"] == 0


def test_a_citizen_proposes_and_follows_on_the_suggestions_page(stack):
    """The /suggest page (tests/e2e/suggest_page.py drives it): what it sent is
    what the service recorded, the proposer's data masked."""
    bureau = login(stack, "city_bureau")
    today = date.today()
    topic = api(stack, "POST", "/suggestion-topics", bureau, json={
        "title": "养老服务征集建议", "description": "围绕社区养老、助餐征集建议",
        "area_code": "370100", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(), "departments": ["370100-ZJJ"]})
    assert topic.status_code == 201, topic.text

    started = time.time()
    seen = run_script("tests.e2e.suggest_page", stack.url, stack.var_dir / "sms.log",
                      "养老服务征集建议")

    assert seen["errors"] == []
    assert unwritten_screenshots(["citizen-suggest", "citizen-suggest-errors",
                                  "citizen-suggest-followed"], started) == []
    assert seen["topics"][0] == "不针对具体主题" and "养老服务征集建议" in seen["topics"]
    assert seen["tab_order"] == ["lang-switch", "topic_id", "organisation", "name", "id_number",
                                 "phone", "sms_code", "send-code", "area_code", "title", "content",
                                 "publish", "suggest-button"]
    assert seen["empty"]["name"] == {"error": "请填写姓名", "error_shown": True, "invalid": "true"}
    assert seen["empty"]["area_code"]["error"] == "请选择建议涉及的地区"
    assert seen["empty"]["sms_code"]["error"] == "请填写6位短信验证码"
    assert seen["empty_focus"] == "name"
    receipt = seen["receipt"]
    assert receipt["focus"] == "receipt" and receipt["form_cleared"]
    assert seen["followed"]["status"] == "已提交，等待审查"
    assert "孙**" in seen["followed"]["facts"] and "370102198505061238" not in seen["followed"]["facts"]
    assert "养老服务征集建议" in seen["followed"]["facts"]
    assert seen["english"] == {"lang": "en", "h1": "People's suggestions",
                               "status": "Sent, waiting for review", "topic_none": "No particular topic",
                               # the timeline in English, the Chinese record under it
                               "timeline": [{"text": "The suggestion was submitted", "record": "建议已提交",
                                             "record_lang": "zh-CN"}]}
    # departments by name (the directory's units), never by code, in either language: the
    # topic's, and the one of the proposal the first test of this module published
    zh, en = "济南市住房和城乡建设局", "Jinan Housing and Urban-Rural Development Bureau"
    assert "答复部门" + zh in seen["topic_cards"] and "答复部门" + zh in seen["published"]
    assert "Answering department" + en in seen["english_departments"]["topics"]
    assert "Answering department" + en in seen["english_departments"]["published"]
    assert not any("370100-ZJJ" in text for text in (
        seen["topic_cards"], seen["published"], *seen["english_departments"].values()))

    recorded = api(stack, "GET", f"/suggestions/{receipt['query_code']}").json()
    assert recorded["number"] == receipt["number"] and recorded["topic_id"] == topic.json()["id"]
    assert (recorded["area_code"], recorded["title"]) == ("370102", "建议在社区设置老年助餐点")
    assert recorded["proposer"]["phone"] == "137****1234"
