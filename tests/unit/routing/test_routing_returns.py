"""A unit returns a case (退回): re-routing never goes back to a unit that
returned it; the second return escalates the case one level up."""
import pytest

from services.routing import routing
from services.routing.routing import NotRoutedYet


@pytest.fixture
def route(store, schedule, emitted):
    """Route a petition; returns its petition_routed payload."""
    def route(event):
        with store.transaction() as tx:
            routing.route_petition(tx, event, schedule)
        return emitted()[-1]
    return route


@pytest.fixture
def give_back(store, schedule, emitted, returned):
    """Return the case routed by ``routed``; returns what was emitted because of it."""
    def give_back(routed, **kwargs):
        before = len(emitted())
        with store.transaction() as tx:
            routing.reroute_after_return(tx, returned(routed, **kwargs), schedule)
        return emitted()[before:]
    return give_back


def test_first_return_goes_to_the_next_rule_on_the_same_track(route, give_back, submitted):
    first = route(submitted(area_code="370102001", category="housing"))
    assert first["unit_code"] == "370102001-JDB"
    [second] = give_back(first)
    assert (second["unit_code"], second["track"], second["routing_seq"]) == \
        ("370102-ZJJ", "standard", 2)
    assert second["area_code"] == "370102001"
    # the clock restarts on the return (Oct 9): Oct 10 is a make-up Saturday
    assert second["due_date"] == "2026-10-22"
    assert second["reason"] == ("解放路街道办事处退回（不属于本单位职责），"
                                "按分派规则（住房城乡建设·历下区）交历下区住房和城乡建设局办理")


def test_first_return_with_no_rule_left_goes_to_the_areas_bureau(route, give_back, submitted):
    first = route(submitted(area_code="370103", category="housing"))
    assert first["unit_code"] == "370100-ZJJ"
    [second] = give_back(first)
    assert (second["unit_code"], second["track"]) == ("370103-XFJ", "standard")


def test_second_return_escalates_to_the_parent_areas_bureau(route, give_back, submitted):
    first = route(submitted(area_code="370102001", category="housing"))
    [second] = give_back(first)
    [third] = give_back(second, reason="应由街道处理")
    assert (third["unit_code"], third["track"], third["routing_seq"]) == \
        ("370102-XFJ", "escalated", 3)
    assert third["reason"] == ("历下区住房和城乡建设局退回（应由街道处理），"
                               "已被退回2次，升级交历下区信访局协调办理")


def test_escalation_from_a_district_goes_to_the_city_bureau(route, give_back, submitted):
    first = route(submitted(area_code="370102", category="housing"))
    [second] = give_back(first)
    assert second["unit_code"] == "370100-ZJJ"
    [third] = give_back(second)
    assert (third["unit_code"], third["track"]) == ("370100-XFJ", "escalated")


def test_the_city_bureau_at_the_top_keeps_a_case_nobody_else_can_take(
        route, give_back, submitted):
    first = route(submitted(area_code="370100", category="other"))
    assert first["unit_code"] == "370100-XFJ"
    [second] = give_back(first)
    assert (second["unit_code"], second["track"]) == ("370100-XFJ", "escalated")


def test_a_stale_return_is_ignored(route, give_back, submitted, store):
    first = route(submitted(area_code="370102001", category="housing"))
    give_back(first)
    assert give_back(first, reason="又一次退回") == []  # it names routing_seq 1; we are at 2
    with store.transaction() as tx:
        assert routing.assignment(tx, "JN20260930-000001")["routing_seq"] == 2


def test_a_return_of_a_rejected_petition_is_ignored(route, give_back, submitted):
    rejected = route(submitted(category="litigation"))
    assert give_back({**rejected, "routing_seq": 0}) == []


def test_a_return_for_a_case_never_routed_is_retried(give_back):
    with pytest.raises(NotRoutedYet):
        give_back({"area_code": "370102", "unit_code": "370102-ZJJ", "routing_seq": 1})
