"""Staff work queues, scope and permissions, through the service's entrypoints."""
from datetime import date, datetime, timezone

import pytest
from nameko.testing.services import worker_factory

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.roles import jurisdiction_prefix
from services.tracking.models import Case
from services.tracking.service import TrackingService
from tests.unit.tracking.conftest import ACTORS, AREA, CASE_NUMBER, UNIT, FakeRouting, emitted


@pytest.fixture
def tracking(store, clocks):
    return worker_factory(TrackingService, store=store, clocks=clocks, routing=FakeRouting())


def put(store, case_number, area_code=AREA, unit_code=UNIT, status="routed",
        due_date=date(2099, 12, 31)):
    with store.transaction() as tx:
        tx.session.add(Case(case_number=case_number, status=status, area_code=area_code,
                            unit_code=unit_code, unit_name="某单位", track="standard",
                            category="housing", title="小区供暖不热", due_date=due_date,
                            routing_seq=1, supervision_open=False, extension_state="none",
                            review_state="none", report_back_required=False))


@pytest.mark.parametrize("area_code,prefix", [
    ("370100", "3701"), ("370102", "370102"), ("370000", "37"), ("370102001", "370102001")])
def test_jurisdiction_prefix(area_code, prefix):
    assert jurisdiction_prefix(area_code) == prefix


@pytest.mark.parametrize("actor,sees", [
    ("handler", True), ("other_handler", False), ("district_bureau", True),
    ("other_district_bureau", False), ("city_bureau", True)])
def test_who_sees_a_case(tracking, store, actor, sees):
    put(store, CASE_NUMBER)
    assert [c["case_number"] for c in tracking.list_cases(ACTORS[actor])] == (
        [CASE_NUMBER] if sees else [])
    if sees:
        assert tracking.staff_case(CASE_NUMBER, ACTORS[actor])["case_number"] == CASE_NUMBER
    else:
        with pytest.raises(NotFound) as exc:
            tracking.staff_case(CASE_NUMBER, ACTORS[actor])
        # the same answer as for a case that does not exist
        assert str(exc.value) == f"case {CASE_NUMBER} not found"
    # what another service asks on the actor's behalf (intake's materials): the same rule
    if sees:
        assert tracking.case_scope(CASE_NUMBER, ACTORS[actor])["unit_code"] == UNIT
    else:
        with pytest.raises(NotFound):
            tracking.case_scope(CASE_NUMBER, ACTORS[actor])


def test_bureau_sees_its_own_unit_cases_outside_its_area(tracking, store):
    put(store, CASE_NUMBER, area_code="370112", unit_code=ACTORS["district_bureau"]["unit_code"])
    assert len(tracking.list_cases(ACTORS["district_bureau"])) == 1


def test_city_bureau_queue_is_ordered_by_due_date_and_filtered_by_status(tracking, store):
    put(store, "JN20261125-000003", area_code="370112", due_date=date(2099, 1, 3))
    put(store, "JN20261125-000001", area_code="370102", due_date=date(2099, 1, 9),
        status="accepted")
    put(store, "JN20261125-000002", area_code="370124001", due_date=date(2099, 1, 5))
    put(store, "JN20261125-000004", area_code="370200")  # 青岛: not Jinan's
    city = ACTORS["city_bureau"]
    assert [c["case_number"] for c in tracking.list_cases(city)] == [
        "JN20261125-000003", "JN20261125-000002", "JN20261125-000001"]
    assert [c["case_number"] for c in tracking.list_cases(city, status="accepted")] == [
        "JN20261125-000001"]


def test_the_queue_comes_a_page_at_a_time(tracking, store):
    for n in range(1, 6):
        put(store, f"JN20261125-00000{n}", due_date=date(2099, 1, n))
    city = ACTORS["city_bureau"]
    pages = [tracking.list_cases(city, None, "2", offset) for offset in (0, 2, 4)]
    assert [[c["case_number"][-1] for c in page] for page in pages] == [
        ["1", "2"], ["3", "4"], ["5"]]


@pytest.mark.parametrize("limit, offset, field", [
    (0, 0, "limit"), (501, 0, "limit"), ("many", 0, "limit"), (10, -1, "offset")])
def test_a_bad_page_is_invalid_input_naming_the_field(tracking, limit, offset, field):
    with pytest.raises(InvalidInput) as raised:
        tracking.list_cases(ACTORS["city_bureau"], None, limit, offset)
    assert set(raised.value.details) == {field}


def test_overdue_until_replied(tracking, store):
    put(store, "JN20261125-000001", due_date=date(2000, 1, 1))
    put(store, "JN20261125-000002", due_date=date(2000, 1, 1), status="replied")
    put(store, "JN20261125-000003")
    overdue = {c["case_number"]: c["overdue"] for c in tracking.list_cases(ACTORS["handler"])}
    assert overdue == {"JN20261125-000001": True, "JN20261125-000002": False,
                       "JN20261125-000003": False}


def test_accept_reply_by_the_assigned_unit(tracking, store):
    put(store, CASE_NUMBER)
    handler = ACTORS["handler"]
    assert tracking.act(CASE_NUMBER, "accept", handler)["status"] == "accepted"
    assert tracking.act(CASE_NUMBER, "reply", handler, {"reply": "已协调供热公司检修，室温达标"})["status"] == "replied"
    view = tracking.get_case(CASE_NUMBER)
    assert view["reply"] == "已协调供热公司检修，室温达标"
    assert [e["kind"] for e in view["timeline"]] == ["accept", "reply"]
    assert [(p["event_type"], p["area_code"], p["unit_code"]) for p in emitted(store)] == [
        ("case_accepted", AREA, UNIT), ("case_replied", AREA, UNIT)]
    staff = tracking.staff_case(CASE_NUMBER, handler)
    assert (staff["accepted_by"], staff["replied_by"]) == ("li", "li")


@pytest.mark.parametrize("action,body", [
    ("accept", None), ("reply", {"reply": "答复"}), ("return", {"reason": "不属本单位职责"})])
def test_staff_of_another_unit_cannot_act(tracking, store, action, body):
    put(store, CASE_NUMBER)
    # in the bureau's jurisdiction but not its unit's case (nor a unit's step)
    with pytest.raises(Forbidden):
        tracking.act(CASE_NUMBER, action, ACTORS["district_bureau"], body)
    with pytest.raises(NotFound):
        tracking.act(CASE_NUMBER, action, ACTORS["other_handler"], body)
    assert tracking.get_case(CASE_NUMBER)["status"] == "routed"
    assert emitted(store) == []


def test_reply_needs_acceptance_first(tracking, store):
    put(store, CASE_NUMBER)
    with pytest.raises(Conflict):
        tracking.act(CASE_NUMBER, "reply", ACTORS["handler"], {"reply": "答复"})


@pytest.mark.parametrize("text", ["", "长" * 5001, None, 42, "  \u200b\u3000\ufeff\u200d "])
def test_reply_text_is_checked(tracking, store, text):
    put(store, CASE_NUMBER, status="accepted")
    with pytest.raises(InvalidInput) as exc:
        tracking.act(CASE_NUMBER, "reply", ACTORS["handler"], {"reply": text})
    assert "reply" in exc.value.details


def test_return_needs_a_reason(tracking, store):
    put(store, CASE_NUMBER)
    with pytest.raises(InvalidInput) as exc:
        tracking.act(CASE_NUMBER, "return", ACTORS["handler"], {"reason": ""})
    assert "reason" in exc.value.details


def test_returned_case_leaves_the_unit_queue_but_stays_with_the_bureau(tracking, store):
    put(store, CASE_NUMBER)
    tracking.act(CASE_NUMBER, "return", ACTORS["handler"], {"reason": "不属本单位职责"})
    assert tracking.list_cases(ACTORS["handler"]) == []
    staff = tracking.staff_case(CASE_NUMBER, ACTORS["district_bureau"])
    assert (staff["status"], staff["return_reason"]) == ("returned", "不属本单位职责")
    # the reason a unit wrote stays with staff; the public sees that it was returned
    assert "不属本单位职责" not in str(tracking.get_case(CASE_NUMBER))


@pytest.mark.parametrize("actor", [None, "li", {**ACTORS["handler"], "role": "admin"},
                                   {"username": "li"}])
def test_malformed_actor_is_invalid_input(tracking, store, actor):
    with pytest.raises(InvalidInput):
        tracking.list_cases(actor)


def test_unknown_status_filter_is_invalid_input(tracking):
    with pytest.raises(InvalidInput) as exc:
        tracking.list_cases(ACTORS["handler"], status="lost")
    assert "status" in exc.value.details


def test_unknown_case_is_not_found(tracking):
    with pytest.raises(NotFound):
        tracking.get_case("JN20261125-999999")


def test_status_counts(tracking, store):
    put(store, "JN20261125-000001")
    put(store, "JN20261125-000002")
    put(store, "JN20261125-000003", status="replied")
    assert tracking.status_counts() == {"routed": 2, "replied": 1}


def test_the_same_action_again_by_the_same_person_answers_as_the_first(tracking, store):
    put(store, CASE_NUMBER)
    handler = ACTORS["handler"]
    colleague = {**handler, "username": "another_handler"}
    assert tracking.act(CASE_NUMBER, "accept", handler)["status"] == "accepted"
    assert tracking.act(CASE_NUMBER, "accept", handler)["status"] == "accepted"
    with pytest.raises(Conflict):
        tracking.act(CASE_NUMBER, "accept", colleague)
    assert tracking.act(CASE_NUMBER, "reply", handler, {"reply": "已处理"})["status"] == "replied"
    assert tracking.act(CASE_NUMBER, "reply", handler, {"reply": "已处理"})["status"] == "replied"
    with pytest.raises(Conflict):
        tracking.act(CASE_NUMBER, "reply", handler, {"reply": "另一个答复"})
    kinds = [e["kind"] for e in tracking.get_case(CASE_NUMBER)["timeline"]]
    assert kinds.count("accept") == kinds.count("reply") == 1
    assert [e["event_type"] for e in emitted(store)] == ["case_accepted", "case_replied"]


def test_a_return_repeated_by_the_same_person_answers_as_the_first(tracking, store):
    put(store, CASE_NUMBER)
    handler = ACTORS["handler"]
    body = {"reason": "不属本单位职责"}
    assert tracking.act(CASE_NUMBER, "return", handler, body)["status"] == "returned"
    # the case has left the unit: the same request again still gets its answer
    assert tracking.act(CASE_NUMBER, "return", handler, body)["status"] == "returned"
    with pytest.raises(NotFound):
        tracking.act(CASE_NUMBER, "return", handler, {"reason": "另一个理由"})
    with pytest.raises(NotFound):
        tracking.act(CASE_NUMBER, "return", {**handler, "username": "colleague"}, body)
    assert [e["event_type"] for e in emitted(store)] == ["case_returned"]


def test_the_queue_views_sort_search_and_unit_filter(tracking, store, clocks):
    today = clocks.today()
    put(store, "JN20261125-000001", due_date=date(2000, 1, 1), status="accepted")   # overdue
    put(store, "JN20261125-000002", due_date=today)                                  # new, due soon
    put(store, "JN20261126-000003", due_date=date(2099, 1, 1), status="accepted")
    put(store, "JN20261126-000004", due_date=date(2000, 1, 1), status="replied")     # clock stopped
    put(store, "JN20261126-000005", unit_code="370102-OTHER")
    with store.transaction() as tx:
        tx.session.get(Case, "JN20261126-000003").supervision_open = True
        for n, case in enumerate(tx.session.query(Case).order_by(Case.case_number)):
            case.submitted_at = datetime(2026, 11, 1 + n, tzinfo=timezone.utc)
    city = ACTORS["city_bureau"]

    def numbers(**filters):
        return [c["case_number"][-1] for c in tracking.list_cases(city, **filters)]

    assert numbers(queue="new") == ["2", "5"]
    assert numbers(queue="due_soon") == ["2"]
    assert numbers(queue="overdue") == ["1"]
    assert numbers(queue="supervised") == ["3"]
    assert numbers(search="jn20261126") == ["3", "4", "5"]
    assert numbers(search="JN20261125-000002") == ["2"]
    assert numbers(sort="newest") == ["5", "4", "3", "2", "1"]
    assert numbers(sort="oldest", limit=2, offset=1) == ["2", "3"]
    assert numbers(unit_code="370102-OTHER") == ["5"]
    # a unit's handler sees only its own, whatever it asks for
    assert [c["case_number"][-1] for c in tracking.list_cases(
        ACTORS["handler"], unit_code="370102-OTHER")] == []

    # the totals of the same views: what the filters match over every page, and
    # around them (same unit and search) each status and each view
    assert tracking.queue_totals(city) == {
        "matching": 5, "by_status": {"accepted": 2, "routed": 2, "replied": 1},
        "by_queue": {"new": 2, "due_soon": 1, "overdue": 1, "supervised": 1}}
    assert tracking.queue_totals(city, queue="overdue", limit=1)["matching"] == 1
    assert tracking.queue_totals(city, search="JN20261126", status="routed") == {
        "matching": 1, "by_status": {"accepted": 1, "routed": 1, "replied": 1},
        "by_queue": {"new": 1, "due_soon": 0, "overdue": 0, "supervised": 1}}
    assert tracking.queue_totals(ACTORS["handler"], unit_code="370102-OTHER")["matching"] == 0
    with pytest.raises(InvalidInput) as raised:
        tracking.queue_totals(city, queue="later")
    assert set(raised.value.details) == {"queue"}


@pytest.mark.parametrize("filters, field", [
    ({"queue": "later"}, "queue"), ({"sort": "random"}, "sort"),
    ({"search": "JN%"}, "search"), ({"search": "x" * 21}, "search")])
def test_a_bad_queue_filter_is_invalid_input_naming_the_field(tracking, filters, field):
    with pytest.raises(InvalidInput) as raised:
        tracking.list_cases(ACTORS["city_bureau"], **filters)
    assert set(raised.value.details) == {field}


def test_the_caseload_by_status_and_track_in_scope(tracking, store):
    put(store, "JN20261125-000001")
    put(store, "JN20261125-000002", status="accepted")
    put(store, "JN20261125-000003", unit_code="370102-OTHER", status="accepted")
    assert tracking.caseload(ACTORS["handler"]) == {
        "by_status": {"accepted": 1, "routed": 1}, "by_track": {"standard": 2}}
    assert tracking.caseload(ACTORS["city_bureau"])["by_status"] == {"accepted": 2, "routed": 1}


def test_material_added_shows_on_both_timelines_without_the_file(tracking, store):
    from core import events
    from tests.unit.tracking.conftest import received
    put(store, CASE_NUMBER)
    tracking.on_material_added(received(events.MATERIAL_ADDED, added_by="petitioner",
                                        content_type="image/png", size=2048))
    public = tracking.get_case(CASE_NUMBER)["timeline"][-1]
    assert public["text"] == "信访人补充了材料"
    staff = tracking.staff_case(CASE_NUMBER, ACTORS["handler"])["timeline"][-1]
    assert "image/png" in staff["detail"]


def test_a_message_shows_on_both_timelines_without_its_text(tracking, store):
    from core import events
    from tests.unit.tracking.conftest import received
    put(store, CASE_NUMBER)
    tracking.on_message_added(received(events.MESSAGE_ADDED, written_by="petitioner", length=12))
    tracking.on_message_added(received(events.MESSAGE_ADDED, unit_code="370102-housing",
                                       written_by="staff", length=30))
    public = tracking.get_case(CASE_NUMBER)["timeline"][-2:]
    assert [e["text"] for e in public] == ["信访人留言", "办理单位答复了留言"]
    # each its own kind, and by it its English (workflows.NOTES)
    assert [(e["kind"], e["text_en"]) for e in public] == [
        ("message", "The petitioner left a message"),
        ("message_answer", "The handling unit answered a message")]
    staff = tracking.staff_case(CASE_NUMBER, ACTORS["handler"])["timeline"][-2:]
    assert [e["detail"] for e in staff] == ["12 字", "30 字"]
