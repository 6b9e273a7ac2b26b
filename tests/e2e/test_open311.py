"""Open311 GeoReport v2 end to end, by a client written from the spec
(https://wiki.open311.org/GeoReport_v2), in JSON and in XML: services and a
service definition, a petition posted form-encoded by a registered app's API
key, its token, the request as the public sees it and the filtered lists, the
spec's errors; the key revoked and refused."""
import json
from xml.etree import ElementTree

import pytest
import requests

from tests.stack import api, eventually, login, sms_lines

pytestmark = pytest.mark.e2e

ID_NUMBER, PHONE = "11010519491231002X", "13912345678"


class GeoReportClient:
    """What a civic app does: ``{base}/{resource}.{format}``; XML read into
    the same lists and dicts as JSON (repeated elements become lists)."""

    LISTS = {"services": "service", "service_requests": "request", "errors": "error",
             "attributes": "attribute", "values": "value", "notes": "note"}

    def __init__(self, base, fmt):
        self.base, self.fmt = base, fmt

    def get(self, resource, **params):
        return self._read(requests.get(f"{self.base}/{resource}.{self.fmt}", params=params,
                                       timeout=30))

    def post_request(self, **fields):
        attributes = fields.pop("attributes", {})
        form = {**fields, **{f"attribute[{k}]": v for k, v in attributes.items()}}
        return self._read(requests.post(f"{self.base}/requests.{self.fmt}", data=form,
                                        timeout=30))

    def _read(self, response):
        if self.fmt == "json":
            assert response.headers["Content-Type"].startswith("application/json")
            return response.status_code, response.json()
        assert response.headers["Content-Type"].startswith("text/xml")
        root = ElementTree.fromstring(response.content)
        return response.status_code, self._element(root)

    def _element(self, element):
        if element.tag in self.LISTS:
            return [self._element(child) for child in element]
        if len(element) == 0:
            return element.text
        return {child.tag: self._element(child) for child in element}


@pytest.fixture(scope="module")
def app_key(stack):
    admin = login(stack, "city_admin")
    made = api(stack, "POST", "/api-keys", admin,
               json={"name": "济南市民App", "app": "jinan-citizen-app"})
    assert made.status_code == 201, made.text
    return made.json()


@pytest.fixture(scope="module")
def submitted(stack, app_key):
    client = GeoReportClient(f"{stack.url}/open311/v2", "json")
    status, body = client.post_request(
        api_key=app_key["key"], service_code="housing", jurisdiction_id="370102",
        description="历下区某小区3号楼电梯停运两个月，物业不予维修。",
        address_string="历下区解放路1号",
        attributes={"name": "张三", "id_number": ID_NUMBER, "phone": PHONE})
    assert status == 200, body
    return body[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_and_a_service_definition(stack, fmt):
    client = GeoReportClient(f"{stack.url}/open311/v2", fmt)
    status, services = client.get("services", jurisdiction_id="370100")
    assert status == 200
    housing = next(s for s in services if s["service_code"] == "housing")
    assert housing["service_name"] == "住房城乡建设" and housing["group"] == "城乡建设"
    assert "供暖" in housing["keywords"] and str(housing["metadata"]).lower() == "true"
    status, definition = client.get("services/housing")
    assert status == 200 and definition["service_code"] == "housing"
    codes = {a["code"]: a for a in definition["attributes"]}
    assert {"name", "id_number", "phone"} <= set(codes)
    assert str(codes["id_number"]["required"]).lower() == "true"
    status, errors = client.get("services/no_such_service")
    assert status == 404 and str(errors[0]["code"]) == "404" and errors[0]["description"]


def test_a_petition_posted_by_an_app_is_routed_and_public_without_personal_data(
        stack, submitted):
    case_number = submitted["service_request_id"]
    assert case_number.startswith("JN") and submitted["token"] == case_number
    # The query code reached the petitioner's phone, and only there.
    texts = eventually(lambda: [line for line in sms_lines(stack) if case_number in line
                                and PHONE in line])
    assert texts and "查询码" in texts[0]
    query_code = texts[0].split("查询码")[1][:19]
    assert query_code not in json.dumps(submitted, ensure_ascii=False)

    for fmt in ("json", "xml"):
        client = GeoReportClient(f"{stack.url}/open311/v2", fmt)
        status, [token] = client.get(f"tokens/{case_number}")
        assert status == 200 and token["service_request_id"] == case_number
        _, [request] = eventually(lambda: (r := client.get(f"requests/{case_number}"))[1][0][
            "agency_responsible"] and r)
        assert request["status"] == "open" and request["service_code"] == "housing"
        assert request["agency_responsible"] == "历下区住房和城乡建设局"
        assert request["expected_datetime"].endswith("T23:59:59+08:00")
        assert request["requested_datetime"].endswith("+08:00")
        text = json.dumps(request, ensure_ascii=False)
        for private in (ID_NUMBER, PHONE, "张三", "电梯停运", "解放路1号", query_code):
            assert private not in text
        _, [extended] = client.get(f"requests/{case_number}", extensions="true")
        notes = extended["extended_attributes"]["notes"]
        assert extended["extended_attributes"]["detailed_status"] == "routed"
        assert notes and all(n["datetime"] and n["summary"] for n in notes)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_request_lists_filter_and_page(stack, submitted, fmt):
    client = GeoReportClient(f"{stack.url}/open311/v2", fmt)
    case_number = submitted["service_request_id"]

    def ids(**params):
        status, found = client.get("requests", **params)
        assert status == 200, found
        return [r["service_request_id"] for r in found]
    assert case_number in ids(service_code="housing", status="open", jurisdiction_id="370102")
    assert case_number in ids(service_request_id=case_number)
    assert case_number not in ids(status="closed")
    assert case_number not in ids(service_code="labor")
    assert case_number not in ids(jurisdiction_id="370114")
    assert case_number not in ids(start_date="2099-01-01T00:00:00+08:00")
    assert case_number in ids(start_date="2020-01-01T00:00:00Z", end_date="2099-01-01T00:00:00Z",
                              page="1", page_size="5")
    assert ids(page="999", page_size="5") == []
    status, errors = client.get("requests", start_date="yesterday")
    assert status == 400 and "start_date" in errors[0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_answer_the_spec_errors(stack, app_key, fmt):
    client = GeoReportClient(f"{stack.url}/open311/v2", fmt)
    fields = dict(service_code="housing", jurisdiction_id="370102", description="路灯不亮",
                  attributes={"name": "李四", "id_number": ID_NUMBER, "phone": PHONE})
    status, errors = client.post_request(**fields)
    assert status == 403 and str(errors[0]["code"]) == "403"
    status, errors = client.post_request(api_key="pk_000000000000_forged", **fields)
    assert status == 403
    status, errors = client.post_request(
        api_key=app_key["key"], **{**fields, "attributes": {"name": "李四", "phone": PHONE,
                                                             "id_number": "110105194912310021"}})
    assert status == 400 and "id_number" in errors[0]["description"]
    status, errors = client.post_request(api_key=app_key["key"],
                                         **{**fields, "jurisdiction_id": "999999"})
    assert status == 400 and "area_code" in errors[0]["description"]
    sent_json = requests.post(f"{stack.url}/open311/v2/requests.{fmt}", json={"a": 1}, timeout=10)
    assert sent_json.status_code == 415


def test_a_revoked_key_is_refused(stack):
    admin = login(stack, "city_admin")
    key = api(stack, "POST", "/api-keys", admin, json={"name": "temp", "app": "temp"}).json()
    client = GeoReportClient(f"{stack.url}/open311/v2", "json")
    fields = dict(service_code="environment", jurisdiction_id="370102", description="夜间施工噪声扰民",
                  attributes={"name": "王五", "id_number": ID_NUMBER, "phone": PHONE})
    assert client.post_request(api_key=key["key"], **fields)[0] == 200
    assert api(stack, "DELETE", f"/api-keys/{key['key_id']}", admin).status_code == 200
    status, errors = client.post_request(api_key=key["key"], **fields)
    assert status == 403 and "revoked" in errors[0]["description"]
    outcomes = [u["outcome"] for u in api(stack, "GET", f"/api-keys/{key['key_id']}/uses",
                                          admin).json()]
    assert outcomes == ["revoked", "ok"]


def test_a_petition_its_petitioner_keeps_private_is_not_listed(stack, app_key):
    client = GeoReportClient(f"{stack.url}/open311/v2", "json")
    status, [posted] = client.post_request(
        api_key=app_key["key"], service_code="labor", jurisdiction_id="370102",
        description="单位拖欠工资三个月", attributes={
            "name": "赵六", "id_number": ID_NUMBER, "phone": PHONE, "publish": "false"})
    assert status == 200
    case_number = posted["service_request_id"]
    # Tracked like any other (the bureau sees it), but never on the public lists.
    bureau = login(stack, "city_bureau")
    assert eventually(lambda: api(stack, "GET", f"/cases/{case_number}", bureau).status_code == 200)
    assert client.get(f"requests/{case_number}")[0] == 404
    assert case_number not in [r["service_request_id"] for r in client.get(
        "requests", service_code="labor")[1]]
