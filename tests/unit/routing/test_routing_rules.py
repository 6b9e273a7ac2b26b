"""Rule resolution (most specific area wins), the bureau fallback, rejection of
litigation, and changing a rule."""
import pytest

from core.errors import Forbidden, InvalidInput, NotFound
from services.routing import routing, routing_rules
from services.routing.directory import DirectoryMismatch


def route(store, schedule, event):
    with store.transaction() as tx:
        routing.route_petition(tx, event, schedule)


@pytest.mark.parametrize("area_code, unit_code, rule_area", [
    ("370102001", "370102001-JDB", "解放路街道"),   # town rule
    ("370102002", "370102-ZJJ", "历下区"),          # no town rule: district rule
    ("370102", "370102-ZJJ", "历下区"),
    ("370103", "370100-ZJJ", "济南市"),             # no district rule: city rule
])
def test_the_most_specific_rule_wins(store, schedule, submitted, emitted,
                                     area_code, unit_code, rule_area):
    route(store, schedule, submitted(area_code=area_code, category="housing"))
    [routed] = emitted()
    assert routed["event_type"] == "petition_routed"
    assert (routed["unit_code"], routed["area_code"], routed["routing_seq"]) == \
        (unit_code, area_code, 1)
    assert routed["track"] == "standard"
    assert routed["due_date"] == "2026-10-20"  # 10 working days after Sep 30, past National Day
    assert f"住房城乡建设·{rule_area}" in routed["reason"]


def test_without_a_rule_the_nearest_petition_bureau_takes_the_case(
        store, schedule, submitted, emitted):
    route(store, schedule, submitted(area_code="370102001", category="other"))
    [routed] = emitted()
    assert routed["unit_code"] == "370102-XFJ"
    assert routed["unit_name"] == "历下区信访局"
    assert routed["reason"] == "无适用的分派规则，交历下区信访部门历下区信访局办理"


def test_consultation_is_answered_the_same_day_by_the_areas_bureau(
        store, schedule, submitted, emitted):
    route(store, schedule, submitted(area_code="370114001", category="consultation"))
    [routed] = emitted()
    assert (routed["unit_code"], routed["track"], routed["due_date"]) == \
        ("370114-XFJ", "immediate", "2026-09-30")


def test_land_goes_on_the_special_case_track(store, schedule, submitted, emitted):
    route(store, schedule, submitted(area_code="370112", category="land"))
    [routed] = emitted()
    assert (routed["unit_code"], routed["track"]) == ("370100-ZRZYJ", "special_case")


def test_litigation_is_rejected_with_the_right_channel(store, schedule, submitted, emitted):
    route(store, schedule, submitted(category="litigation"))
    [rejected] = emitted()
    assert rejected["event_type"] == "petition_rejected"
    assert rejected["unit_code"] is None and rejected["area_code"] == "370102"
    assert rejected["reason"] == "该事项依法应通过诉讼解决，信访渠道不予受理"
    assert "向有管辖权的人民法院提起诉讼" in rejected["channel"] and "12348" in rejected["channel"]
    with store.transaction() as tx:
        view = routing.assignment(tx, "JN20260930-000001")
    assert (view["status"], view["unit_code"], view["routing_seq"]) == ("rejected", None, 0)


def test_the_assignment_shows_unit_track_due_date_and_reason(store, schedule, submitted):
    route(store, schedule, submitted(area_code="370102001", category="housing"))
    with store.transaction() as tx:
        view = routing.assignment(tx, "JN20260930-000001")
        with pytest.raises(NotFound):
            routing.assignment(tx, "JN20260930-999999")
    assert view == {
        "case_number": "JN20260930-000001", "status": "routed", "unit_code": "370102001-JDB",
        "unit_name": "解放路街道办事处", "track": "standard", "due_date": "2026-10-20",
        "reason": "按分派规则（住房城乡建设·解放路街道）交解放路街道办事处办理",
        "channel": None, "routing_seq": 1}


@pytest.mark.parametrize("change", [{"area_code": "370199"}, {"category": "pets"}])
def test_an_event_naming_an_unknown_area_or_category_is_not_dropped(
        store, schedule, submitted, emitted, change):
    with pytest.raises(DirectoryMismatch):
        route(store, schedule, submitted(**change))
    assert emitted() == []


def test_a_petition_already_routed_is_not_routed_again(store, schedule, submitted, emitted):
    route(store, schedule, submitted())
    route(store, schedule, submitted())  # same case, new event id
    assert len(emitted()) == 1


def test_set_rule_changes_where_petitions_go(store, schedule, submitted, emitted):
    with store.transaction() as tx:
        rule = routing_rules.set_rule(tx, "other", "370102", "370102-ZJJ", "immediate")
    assert rule == {"category": "other", "area_code": "370102", "unit_code": "370102-ZJJ",
                    "unit_name": "历下区住房和城乡建设局", "track": "immediate"}
    with store.transaction() as tx:  # changing it again updates the same rule
        routing_rules.set_rule(tx, "other", "370102", "370102-ZJJ", "standard")
        assert sum(r["category"] == "other" for r in routing_rules.rules(tx)) == 1
    route(store, schedule, submitted(area_code="370102002", category="other"))
    [routed] = emitted()
    assert (routed["unit_code"], routed["track"]) == ("370102-ZJJ", "standard")


@pytest.mark.parametrize("args, field", [
    (("housing", "370102", "370102-ZJJ", "urgent"), "track"),
    (("pets", "370102", "370102-ZJJ", "standard"), "category"),
    (("litigation", "370102", "370102-XFJ", "standard"), "category"),
    (("housing", "370199", "370100-ZJJ", "standard"), "area_code"),
    (("housing", "12", "370100-ZJJ", "standard"), "area_code"),
    (("housing", "370102", "370199-ZJJ", "standard"), "unit_code"),
    (("housing", "370102", "370114-RSJ", "standard"), "unit_code"),  # Zhangqiu unit, Lixia area
    (("housing", "370102", None, "standard"), "unit_code"),
])
def test_set_rule_names_the_bad_field(store, args, field):
    with store.transaction() as tx, pytest.raises(InvalidInput) as caught:
        routing_rules.set_rule(tx, *args)
    assert list(caught.value.details) == [field]


def test_rules_lists_the_seeded_rules(store):
    with store.transaction() as tx:
        rules = routing_rules.rules(tx)
    assert {"category": "housing", "area_code": "370102001", "unit_code": "370102001-JDB",
            "unit_name": "解放路街道办事处", "track": "standard"} in rules
    assert not any(r["category"] in ("litigation", "consultation") for r in rules)


LIXIA_BUREAU = {"username": "lixia_bureau", "role": "bureau_supervisor",
                "unit_code": "370102-XFJ", "area_code": "370102"}


def test_a_bureaus_rule_change_is_recorded_with_who_and_what_before(store):
    with store.transaction() as tx:
        routing_rules.change_rule(tx, LIXIA_BUREAU, {"category": "housing", "area_code": "370102",
                                                     "unit_code": "370102-XFJ", "track": "immediate"})
        routing_rules.change_rule(tx, LIXIA_BUREAU, {"category": "other", "area_code": "370102001",
                                                     "unit_code": "370102-XFJ", "track": "standard"})
    with store.transaction() as tx:
        newest, first = routing_rules.changes(tx, LIXIA_BUREAU)
        city = {**LIXIA_BUREAU, "username": "city_bureau", "area_code": "370100"}
        assert len(routing_rules.changes(tx, city)) == 2
        shizhong = {**LIXIA_BUREAU, "area_code": "370103"}
        assert routing_rules.changes(tx, shizhong) == []
    assert (first["changed_by"], first["category"], first["before"], first["after"]) == (
        "lixia_bureau", "housing", {"unit_code": "370102-ZJJ", "track": "standard"},
        {"unit_code": "370102-XFJ", "track": "immediate"})
    assert newest["before"] is None and first["at"].endswith("+08:00")


@pytest.mark.parametrize("actor, rule, field", [
    ({**LIXIA_BUREAU, "role": "handler"}, {"area_code": "370102"}, "role"),
    (LIXIA_BUREAU, {"area_code": "370103", "category": "housing", "unit_code": "370103-ZJJ",
                    "track": "standard"}, "area_code"),
])
def test_only_a_bureau_changes_rules_and_only_in_its_jurisdiction(store, actor, rule, field):
    with store.transaction() as tx, pytest.raises(Forbidden) as caught:
        routing_rules.change_rule(tx, actor, rule)
    assert list(caught.value.details) == [field]
    with store.transaction() as tx:
        assert routing_rules.changes(tx, {**LIXIA_BUREAU, "area_code": "370100"}) == []
