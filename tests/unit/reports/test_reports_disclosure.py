"""The public list of concluded cases, from the month of tests/reports_month.py:
what is listed, what is not (the petitioner's opt-out, staff's withholding),
filters and pages; no personal data can be in it."""
import csv
import io

import pytest

from core.errors import Forbidden, InvalidInput, NotFound
from services.reports import projections, reports
from tests.reports_month import AS_OF, A, case_number

BUREAU = {"username": "bureau", "unit_code": "370100-XFJ", "role": "bureau_supervisor",
          "area_code": "370100"}
DISTRICT_BUREAU = {**BUREAU, "username": "lixia", "area_code": "370114"}
HANDLER = {"username": "a-staff", "unit_code": A, "role": "handler", "area_code": "370102"}
MONTH = {"period": "month", "date": "2026-11-15"}




def listed(store, **query):
    with store.transaction() as tx:
        page = reports.published_cases(tx, {**MONTH, **query}, on=AS_OF)
    return [int(case["case_number"][-6:]) for case in page["cases"]]


def test_concluded_cases_are_listed_newest_first_but_not_one_the_petitioner_kept_private(month):
    # concluded in November: 2 (11-21), 7 (11-20), 5 (11-10, opted out), 1 (11-07), 10 (11-03)
    assert listed(month) == [2, 7, 1, 10]


def test_a_listed_case_shows_its_timeline_unit_and_ratings(month):
    with month.transaction() as tx:
        page = reports.published_cases(tx, {**MONTH, "category": "urban_management"}, on=AS_OF)
    [case] = page["cases"]
    assert case == {
        "case_number": case_number(7), "category": "urban_management", "area_code": "370100",
        "unit_code": "370100-CGJ", "unit_name": "济南市城市管理局", "track": "immediate",
        "on_time": True,
        "timeline": [{"step": "提交", "step_en": "Submitted", "at": "2026-11-20T10:00+08:00"},
                     {"step": "分派", "step_en": "Assigned to the unit", "at": "2026-11-20T10:00+08:00"},
                     {"step": "受理", "step_en": "Accepted", "at": "2026-11-20T11:00+08:00"},
                     {"step": "答复", "step_en": "Replied", "at": "2026-11-20T15:00+08:00"},
                     {"step": "评价", "step_en": "Rated", "at": "2026-11-20T16:00+08:00"},
                     {"step": "办结", "step_en": "Concluded", "at": "2026-11-20T16:00+08:00"}],
        "rating": {"service_attitude": "satisfied", "work_efficiency": "satisfied",
                   "handling_quality": "satisfied"}}


def test_filters_and_pages(month):
    assert listed(month, unit_code=A) == [2, 1, 10]
    assert listed(month, area_code="370102001") == [2]
    assert listed(month, area_code="370102") == [2, 1, 10]
    assert listed(month, limit=2, offset=1) == [7, 1]
    assert listed(month, period="month", date="2026-10-01") == []
    with pytest.raises(InvalidInput) as caught:
        listed(month, limit=1000)
    assert "limit" in caught.value.details


def test_staff_withhold_a_case_with_a_reason_and_it_stays_withheld_after_a_rebuild(
        month, settings):
    with month.transaction() as tx:
        with pytest.raises(Forbidden):
            reports.withhold(tx, case_number(7), "涉及个人隐私", HANDLER)
        with pytest.raises(NotFound):  # outside the bureau's jurisdiction: not there
            reports.withhold(tx, case_number(7), "涉及个人隐私", DISTRICT_BUREAU)
        with pytest.raises(InvalidInput):
            reports.withhold(tx, case_number(7), "", BUREAU)
        assert reports.withhold(tx, case_number(7), "涉及个人隐私", BUREAU)["withheld"]
        # what other public lists (Open311) ask: which of these are withheld
        assert reports.withheld_among(tx, [case_number(n) for n in (1, 7, 10)]) == [case_number(7)]
        with pytest.raises(InvalidInput):
            reports.withheld_among(tx, ["x" * 21])
    assert listed(month) == [2, 1, 10]
    with month.transaction() as tx:
        projections.rebuild(tx, settings)
    assert listed(month) == [2, 1, 10]


def test_the_open_data_export_is_anonymised_and_leaves_out_what_the_list_leaves_out(month):
    with month.transaction() as tx:
        document = reports.open_data(tx, MONTH, on=AS_OF)
    rows = list(csv.DictReader(io.StringIO(document["text"].lstrip("\ufeff"))))
    assert document["filename"] == "open-data.csv" and len(rows) == 4
    assert "case_number" not in rows[0]
    assert rows[0] == {
        "category": "housing", "area_code": "370102001", "unit_code": A,
        "unit_name": "历下区住房和城乡建设局", "track": "standard", "channel": "proxy",
        "submitted_on": "2026-11-03", "routed_on": "2026-11-03", "accepted_on": "2026-11-04",
        "replied_on": "2026-11-20", "rated_on": "2026-11-21", "concluded_on": "2026-11-21",
        "on_time": "False", "service_attitude": "basically_satisfied",
        "work_efficiency": "basically_satisfied", "handling_quality": "basically_satisfied"}
