"""A county's own deployment beside the city's (core/areas.py): 章丘区 (370114)
runs its own routing and tracking, on its own stores, named routing_370114 and
tracking_370114; the city's routing and tracking bind every other area
(COUNTIES=["370114"]). Petitions are submitted to the one gateway (the city's).
A 章丘 case lives only in the county's stores, a 历下 case only in the city's;
each is routed and tracked once, with one query-code SMS; the city bureau still
sees the county's cases in its jurisdiction, and the county's handler acts on
its case through the city's gateway; the public list (Open311) has both
deployments' cases. With the county's tracking stopped, the city bureau still
gets the city's cases, told which deployment is missing (the staff console's
banner, on every page of a merged list; the public list's header), and a
county case is a 503 naming the county."""
import sqlite3
from datetime import datetime

import pytest
import requests

from deploy.stack import LIMITS_LIFTED, LocalStack, free_port
from tests.e2e.browser import run_script
from tests.e2e.partial_console import MERGED
from tests.faults.support import assert_nothing_lost, submit
from tests.stack import TEST_ENV, api, eventually, login, running_stack

pytestmark = pytest.mark.e2e

COUNTY = "370114"


@pytest.fixture(scope="module")
def deployments(tmp_path_factory, secrets_env):
    var = tmp_path_factory.mktemp("county")
    with running_stack(var / "city", secrets_env, start=False,
                       env={"COUNTIES": f'["{COUNTY}"]'}) as city:
        county = LocalStack(var / "county", port=free_port(), ctl=city.ctl, env={
            "AMQP_URI": city.base_amqp_uri, "COUNTY_CODE": COUNTY, **secrets_env,
            **TEST_ENV, **LIMITS_LIFTED})
        county.prepare()
        try:
            county.start_all()
            city.start_all()
            yield city, county
        finally:
            county.stop_all()


def open311_requests(stack, **params):
    return requests.get(f"{stack.url}/open311/v2/requests.json", params=params, timeout=30)


def case_numbers(stack, service, table):
    with sqlite3.connect(stack.var_dir / f"{service}.db") as db:
        return {row[0] for row in db.execute(f"SELECT case_number FROM {table}")}


def test_a_county_handles_its_own_cases_and_the_city_the_rest(deployments):
    city, county = deployments
    zhangqiu = [submit(city, area_code=COUNTY, category="labor", title=f"章丘 {n}")
                for n in range(4)]
    zhangqiu.append(submit(city, area_code="370114001", category="labor", title="明水街道"))
    lixia = [submit(city, area_code="370102", category="housing", title=f"历下 {n}")
             for n in range(4)]

    # Every one routed and tracked, once, with one query-code SMS (followed
    # through the city's gateway, which finds the county's cases).
    assert_nothing_lost(city, zhangqiu + lixia)

    county_cases = {p["case_number"] for p in zhangqiu}
    city_cases = {p["case_number"] for p in lixia}
    for service, table in (("routing", "assignments"), ("tracking", "cases")):
        assert case_numbers(county, service, table) == county_cases, service
        assert case_numbers(city, service, table) == city_cases, service

    # The city bureau's jurisdiction includes the county's cases.
    bureau = login(city, "city_bureau")
    listed = api(city, "GET", "/cases?limit=500", bureau)
    assert listed.status_code == 200, listed.text
    assert county_cases | city_cases <= {c["case_number"] for c in listed.json()}
    one = sorted(county_cases)[0]
    case = api(city, "GET", f"/cases/{one}", bureau)
    assert case.status_code == 200, case.text
    assert case.json()["unit_code"] == "370114-RSJ"

    # The public list (Open311) has both deployments' cases, newest first, paged as one.
    public = open311_requests(city, page_size=200)
    assert public.status_code == 200 and "Unreachable-Deployments" not in public.headers
    listed = public.json()
    assert county_cases | city_cases <= {r["service_request_id"] for r in listed}
    times = [datetime.fromisoformat(r["requested_datetime"]) for r in listed]
    assert times == sorted(times, reverse=True)
    pages = [open311_requests(city, page_size=4, page=n).json() for n in (1, 2)]
    assert [r["service_request_id"] for page in pages for r in page] == [
        r["service_request_id"] for r in listed[:8]]

    # The county's handler works its case through the city's gateway; the
    # step lands in the county's store.
    handler = login(city, "zhangqiu_hrss")
    queue = api(city, "GET", "/cases", handler).json()
    assert county_cases <= {c["case_number"] for c in queue}
    accepted = api(city, "POST", f"/cases/{one}/accept", handler)
    assert accepted.status_code == 200, accepted.text
    assert eventually(lambda: api(city, "GET", f"/cases/{one}", bureau).json()["status"]
                      == "accepted")
    with sqlite3.connect(county.var_dir / "tracking.db") as db:
        assert db.execute("SELECT status FROM cases WHERE case_number = ?",
                          (one,)).fetchone() == ("accepted",)
    # Its files: intake asks the tracking that holds the case (the county's) for
    # the handler's scope, by the case's area (core/areas.holder).
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    added = api(city, "POST", f"/cases/{one}/attachments", handler,
                params={"filename": "答复.pdf"}, data=pdf,
                headers={"Content-Type": "application/pdf"})
    assert added.status_code == 201, added.text
    listed = api(city, "GET", f"/cases/{one}/attachments", handler)
    assert [a["filename"] for a in listed.json()] == ["答复.pdf"], listed.text
    # A case the county does not hold is not the county handler's to act on:
    # outside their scope it does not exist for them (404, not 403), whichever
    # deployment is asked.
    refused = api(city, "POST", f"/cases/{sorted(city_cases)[0]}/accept", handler)
    assert refused.status_code == 404, refused.text


def test_the_city_bureau_gets_its_own_cases_while_the_county_is_down(deployments):
    city, county = deployments
    mine = [submit(city, area_code="370102", category="housing", title="历下 县停"),
            submit(city, area_code=COUNTY, category="labor", title="章丘 县停")]
    assert_nothing_lost(city, mine)
    city_case, county_case = (p["case_number"] for p in mine)
    bureau = login(city, "city_bureau")
    county.stop("tracking")
    try:
        listed = api(city, "GET", "/cases?limit=500", bureau)
        assert listed.status_code == 200, listed.text
        assert listed.headers["Unreachable-Deployments"] == COUNTY
        numbers = {c["case_number"] for c in listed.json()}
        assert city_case in numbers and not numbers & case_numbers(county, "tracking", "cases")
        totals = api(city, "GET", "/cases/totals", bureau)
        assert totals.status_code == 200, totals.text
        (missing,) = totals.json()["unreachable"]
        assert (missing["area_code"], missing["name"], missing["name_en"]) == (
            COUNTY, "章丘区", "Zhangqiu District")
        public = open311_requests(city, page_size=200)
        assert public.status_code == 200, public.text
        assert public.headers["Unreachable-Deployments"] == COUNTY
        public_numbers = {r["service_request_id"] for r in public.json()}
        assert city_case in public_numbers and county_case not in public_numbers
        # The staff console says so on every page of a merged list (zh and en).
        seen = run_script("tests.e2e.partial_console", city.url)
        assert not seen["script_errors"], seen
        for page in MERGED:
            assert seen["zh"][page].startswith("结果不完整："), seen
            assert seen["en"][page].startswith("Partial answer: "), seen
        # the queue's totals name the county (the lists alone give its code)
        assert "章丘区（370114）的部署暂时无法连接" in seen["zh"]["queue"], seen
        assert "Zhangqiu District (370114) could not be reached" in seen["en"]["queue"], seen
        assert "部署 370114 暂时无法连接" in seen["zh"]["supervision"], seen
        one = api(city, "GET", f"/cases/{county_case}", bureau)
        assert one.status_code == 503, one.text
        assert COUNTY in one.json()["message"]
        assert api(city, "GET", f"/cases/{city_case}", bureau).status_code == 200
    finally:
        county.start("tracking")
        county.wait_until_ready()
    assert api(city, "GET", f"/cases/{county_case}", bureau).status_code == 200
