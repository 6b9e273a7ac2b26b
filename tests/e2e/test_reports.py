"""Figures end to end: petitions handled over HTTP by the services as
separate processes; the reports service hears the public events; the public
scoreboard, the public list of concluded cases and the staff figures answer
over HTTP, with no personal data in any public answer; a rebuild of the reports store gives the same figures."""
import csv
import io
import re
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from core.config import ROOT
from tests.stack import VALID, api, eventually, login, submit_petition

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(own_stack):
    """A stack of its own: the figures, the public list and the assessment below are the whole store's."""
    return own_stack

UNIT = "370102-ZJJ"
OTHER = {**VALID, "name": "李四光", "id_number": "370102199003071238", "phone": "13987654321",
         "title": "楼道堆放杂物"}
SATISFIED = {d: "satisfied" for d in ("service_attitude", "work_efficiency", "handling_quality")}
UNHAPPY = {**SATISFIED, "handling_quality": "unsatisfied"}
# what must never appear in a public answer: ID numbers, mobile numbers, names
PERSONAL = re.compile(r"\d{17}[\dX]|1[3-9]\d{9}|张三|李四光")


def submit(stack, petition):
    response = submit_petition(stack, petition)
    assert response.status_code == 201, response.text
    return response.json()


def handle(stack, token, case_number, reply):
    eventually(lambda: api(stack, "POST", f"/cases/{case_number}/accept", token)
               .status_code == 200)
    assert api(stack, "POST", f"/cases/{case_number}/reply", token,
               json={"reply": reply}).status_code == 200


def rate(stack, code, levels):
    assert eventually(lambda: api(stack, "POST", f"/petitions/{code}/rating", json=levels)
                      .status_code == 201)


def board_row(stack):
    response = api(stack, "GET", "/public/scoreboard")
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert not PERSONAL.search(response.text)
    return next((u for u in response.json()["units"] if u["key"] == UNIT), None)


def test_handled_petitions_show_on_the_scoreboard_and_survive_a_rebuild(stack):
    first = submit(stack, VALID)
    again = submit(stack, {**VALID, "title": "小区电梯仍未修复"})  # same person, same matter
    other = submit(stack, {**OTHER, "publish": False})
    handler = login(stack, "lixia_housing")
    handle(stack, handler, first["case_number"], "已责成物业公司修复电梯。")
    rate(stack, first["query_code"], SATISFIED)
    handle(stack, handler, again["case_number"], "电梯已修复。")
    rate(stack, again["query_code"], UNHAPPY)

    row = eventually(lambda: (r := board_row(stack)) and r["rated"] == 2 and r)
    assert row["received"] == 3 and row["concluded"] == 1
    assert row["satisfaction_rate"] == 0.5 and row["rating_participation"] == 1.0

    public = api(stack, "GET", "/public/cases")
    assert public.status_code == 200 and not PERSONAL.search(public.text)
    opened = api(stack, "GET", "/public/open-data.csv")
    assert opened.status_code == 200 and not PERSONAL.search(opened.content.decode("utf-8-sig"))
    [listed] = public.json()["cases"]
    assert listed["case_number"] == first["case_number"] and listed["unit_code"] == UNIT
    assert listed["rating"]["handling_quality"] == "satisfied"

    [mine] = api(stack, "GET", "/reports/figures", handler).json()
    assert mine["repeats"] == 1 and mine["supervised"] == 1 and mine["accepted"] == 2
    assert mine["satisfaction_by_dimension"]["handling_quality"] == 0.5
    assert api(stack, "GET", "/reports/figures?unit_code=370114-RSJ", handler).status_code == 403
    assert api(stack, "GET", "/reports/figures?period=fortnight", handler).status_code == 400
    assert api(stack, "GET", "/reports/lagging", handler).status_code == 403

    bureau = login(stack, "city_bureau")
    areas = api(stack, "GET", "/reports/figures?by=area", bureau).json()
    assert {"370102": 3}.items() <= {r["key"]: r["received"] for r in areas}.items()
    assessment = api(stack, "GET", "/reports/assessment", bureau).json()
    assert [r["key"] for r in assessment] == [UNIT]
    exported = api(stack, "GET", "/reports/export/figures.csv?by=unit", bureau)
    assert exported.status_code == 200
    units = {r["key"]: r for r in csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))}
    assert units[UNIT]["received"] == "3"
    bulletin = api(stack, "GET", "/reports/bulletin.xlsx", bureau)
    assert load_workbook(io.BytesIO(bulletin.content))["各单位"]["B2"].value == UNIT
    printable = api(stack, "GET", "/reports/bulletin.pdf", bureau)
    assert printable.status_code == 200 and printable.content.startswith(b"%PDF")
    assert other["case_number"] in [c["case_number"] for c in api(stack, "GET", "/cases",
                                                                  handler).json()]

    before = [api(stack, "GET", path, bureau).json()
              for path in ("/reports/figures?by=unit", "/reports/figures?by=day",
                           "/reports/assessment")]
    stack.stop("reports")
    subprocess.run([sys.executable, "-m", "deploy.rebuild", "reports"], cwd=ROOT,
                   env=stack.env, check=True, capture_output=True)
    stack.start("reports")
    stack.wait_until_ready()
    assert [api(stack, "GET", path, bureau).json()
            for path in ("/reports/figures?by=unit", "/reports/figures?by=day",
                         "/reports/assessment")] == before
