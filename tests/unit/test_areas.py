"""core/areas.py: the county in the routing key, and what each deployment binds."""
from core.areas import binding_keys, deployment_name, district_codes, routing_key


def test_the_county_of_a_case_follows_its_event_type():
    assert routing_key("petition_submitted", "370114") == "petition_submitted.370114"
    assert routing_key("petition_submitted", "370114001") == "petition_submitted.370114"
    assert routing_key("phone_code", None) == "phone_code"


def test_what_each_deployment_binds():
    alone = {"COUNTIES": []}
    split = {"COUNTIES": ["370114"]}
    # the city alone, and every service that is the city's only
    assert binding_keys("tracking", "case_returned", alone) == ["case_returned.#"]
    assert binding_keys("notify", "petition_routed", split) == ["petition_routed.#"]
    # a county's own: its code only
    county = deployment_name("tracking", "370114")
    assert county == "tracking_370114"
    assert binding_keys(county, "petition_routed", split) == ["petition_routed.370114"]
    # the city beside it: every other district, and the bare key of old events
    city = binding_keys("routing", "petition_submitted", split)
    assert "petition_submitted.370114" not in city and "petition_submitted" in city
    assert {f"petition_submitted.{c}" for c in district_codes() if c != "370114"} <= set(city)


def test_the_holder_of_a_case_is_its_countys_deployment_when_it_runs_one():
    from core.areas import holder
    config = {"COUNTIES": ["370114"]}
    assert holder("tracking", "370114", config) == "tracking_370114"
    assert holder("tracking", "370114001", config) == "tracking_370114"  # a town of it
    assert holder("tracking", "370102", config) == "tracking"
    assert holder("tracking", "370114", {}) == "tracking"
