"""The Open311 routes over real HTTP with the RPC side replaced: the spec's
formats (JSON and XML), its error list, the form body's checks, the paging
and status filters passed to tracking."""
import json
from xml.etree import ElementTree

import pytest
import requests

from deploy.keys import new_secrets
from tests.kit import gateway_url

KEYS = new_secrets()
CASE = {"case_number": "JN20261125-000001", "status": "concluded", "category": "housing",
        "area_code": "370102", "unit_code": "370102-ZJJ", "unit_name": "历下区住房和城乡建设局",
        "track": "standard", "submitted_at": "2026-11-25T00:00:00+00:00",
        "updated_at": "2026-11-26T00:00:00+00:00", "due_date": "2026-12-09",
        "timeline": [{"at": "2026-11-25T00:00:00+00:00", "kind": "submitted",
                      "text": "信访事项已提交"}]}


class Routing:
    def reference_data(self):
        return {"categories": [{"code": "housing", "name_zh": "住房城乡建设",
                                "name_en": "Housing and construction"}],
                "areas": [{"code": "370102"}]}

    def check_api_key(self, key, operation, client=None):
        from core.errors import Unauthorized
        raise Unauthorized("API密钥无效", {"api_key": ["unknown key"]})


class Tracking:
    def __init__(self):
        self.queries = []

    def public_requests(self, query):
        self.queries.append(query)
        wanted = query.get("case_numbers")
        return [] if wanted and CASE["case_number"] not in wanted else [CASE]


class Reports:
    def __init__(self):
        self.withheld = set()

    def withheld_among(self, case_numbers):
        return sorted(self.withheld.intersection(case_numbers))


@pytest.fixture
def reports():
    return Reports()


@pytest.fixture
def api(reports):
    tracking = Tracking()
    with gateway_url({"routing": Routing(), "tracking": tracking, "reports": reports},
                     KEYS) as url:
        yield url.replace("/api/v1", "/open311/v2"), tracking


def test_one_request_in_json_and_xml_with_the_closed_mapping(api):
    base, _ = api
    [row] = requests.get(f"{base}/requests/{CASE['case_number']}.json").json()
    assert (row["status"], row["status_notes"]) == ("closed", "已办结")
    assert row["expected_datetime"] == "2026-12-09T23:59:59+08:00"
    assert row["requested_datetime"] == "2026-11-25T08:00:00+08:00"
    assert "extended_attributes" not in row
    xml = requests.get(f"{base}/requests/{CASE['case_number']}.xml?extensions=true")
    assert xml.headers["Content-Type"].startswith("text/xml")
    request = ElementTree.fromstring(xml.content).find("request")
    assert request.findtext("service_request_id") == CASE["case_number"]
    assert request.findtext("extended_attributes/detailed_status") == "concluded"
    assert request.findtext("extended_attributes/notes/note/summary") == "信访事项已提交"


def test_filters_and_paging_reach_tracking_and_bad_ones_are_the_spec_errors(api):
    base, tracking = api
    assert requests.get(f"{base}/requests.json", params={
        "status": "closed", "page": "3", "page_size": "10", "service_code": "housing",
        "jurisdiction_id": "370102"}).status_code == 200
    query = tracking.queries[-1]
    assert (query["limit"], query["offset"]) == (10, 20)
    assert set(query["statuses"]) == {"rejected", "declined", "concluded"}
    assert query["start"]  # the spec's default window
    assert requests.get(f"{base}/requests.json", params={
        "page": "51", "page_size": "200"}).status_code == 200  # 10,000 before it: the deepest
    for params in ({"status": "pending"}, {"page_size": "1000"}, {"page": "x"}, {"page": "0"},
                   {"page": "52", "page_size": "200"}, {"end_date": "tomorrow"}):
        answer = requests.get(f"{base}/requests.xml", params=params)
        assert answer.status_code == 400
        error = ElementTree.fromstring(answer.content).find("error")
        assert error.findtext("code") == "400" and error.findtext("description")
    missing = requests.get(f"{base}/requests/JN20990101-000001.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_the_form_body_is_checked_before_any_service(api):
    base, _ = api
    assert requests.post(f"{base}/requests.json", json={"api_key": "x"}).status_code == 415
    big = requests.post(f"{base}/requests.json", data={"description": "长" * 30000})
    assert big.status_code == 413 and big.json()[0]["code"] == 413
    control = requests.post(f"{base}/requests.json", data={"description": "a\x00b"})
    assert control.status_code == 400 and "description" in control.json()[0]["description"]
    no_key = requests.post(f"{base}/requests.json", data={"service_code": "housing"})
    assert no_key.status_code == 403 and "api_key" in json.dumps(no_key.json())
    bad_key = requests.post(f"{base}/requests.xml", data={"api_key": "pk_x_y"})
    assert bad_key.status_code == 403
    assert requests.get(f"{base}/services.json", params={"jurisdiction_id": "999999"}
                        ).status_code == 404


@pytest.mark.parametrize("path", ["requests/{}", "tokens/{}", "services/{}"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_overlong_id_is_the_specs_not_found_in_the_asked_format(api, path, fmt):
    base, tracking = api
    response = requests.get(f"{base}/{path.format('0' * 51)}.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json() == [{"code": 404, "description": "no such item"}]
    else:
        assert response.headers["Content-Type"].startswith("text/xml")
        assert ElementTree.fromstring(response.content).findtext("error/code") == "404"
    assert tracking.queries == []  # refused before any service


def test_a_case_staff_withheld_is_on_no_open311_list(api, reports):
    base, _ = api
    reports.withheld.add(CASE["case_number"])
    assert requests.get(f"{base}/requests.json").json() == []
    one = requests.get(f"{base}/requests/{CASE['case_number']}.json")
    assert one.status_code == 404 and one.json()[0]["code"] == 404
    assert requests.get(f"{base}/tokens/{CASE['case_number']}.json").status_code == 404


def test_every_case_status_has_its_open311_note_and_no_other():
    # The statuses are tracking's (the handling workflow's states): a new state
    # there without its note here would reach Open311 clients as a bare code.
    from services.gateway.routes.open311 import CLOSED_STATES, STATUS_NOTES
    from services.tracking.workflows import STATUSES

    assert set(STATUS_NOTES) == set(STATUSES)
    assert CLOSED_STATES < set(STATUSES)
