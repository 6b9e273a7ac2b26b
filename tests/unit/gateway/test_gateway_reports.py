"""The figures routes, fast: the gateway's routes with its reports RPC
replaced by the reports service's own entrypoints on a SQLite store holding
the month of tests/reports_month.py (no broker)."""
import csv
import io
import json

import pytest
from nameko.testing.services import worker_factory
from openpyxl import load_workbook
from werkzeug.test import EnvironBuilder

from services.gateway.auth import Tokens
from services.gateway.http import HttpEntrypoint
from services.gateway.service import GatewayService
from services.reports import projections
from services.reports.models import Base
from services.reports.service import ReportsService
from services.reports.settings import Settings
from tests.kit import sqlite_store
from tests.reports_month import RULES, A, B, C, loaded_events

SECRET = "a-test-secret-of-thirty-two-chars"
BUREAU = {"username": "jn_bureau", "unit_code": "370100-XFJ", "unit_name": "济南市信访局",
          "role": "bureau", "area_code": "370100"}
UNIT = {"username": "lixia_housing", "unit_code": A, "unit_name": "历下区住房和城乡建设局",
        "role": "handler", "area_code": "370102"}
MONTH = "period=month&date=2026-11-15"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    settings = Settings.from_config({"ASSESSMENT": RULES})
    url = f"sqlite:///{tmp_path_factory.mktemp('reports')}/reports.db"
    with sqlite_store(url, Base) as store:
        for contract, event in loaded_events():
            with store.transaction() as tx:
                projections.consume(tx, settings, contract, event)
        reports = worker_factory(ReportsService, store=store, settings=settings)
        reports.make_due_bulletins()  # as the timer does when the service starts
        yield worker_factory(GatewayService, reports=reports, tokens=Tokens(SECRET, 600))


def call(gateway, route, query="", actor=None, body=None, **path):
    """The route as the HTTP entrypoint runs it: its answer or its error, as a response."""
    headers = {"Authorization": f"Bearer {Tokens(SECRET, 600).issue(actor)[0]}"} if actor else {}
    request = EnvironBuilder(method="POST" if body is not None else "GET", query_string=query,
                             headers=headers, json=body).get_request()
    entrypoint = HttpEntrypoint("GET", "/")
    try:
        return entrypoint.response_from_result(getattr(gateway, route)(request, **path))
    except Exception as exc:  # noqa: BLE001  mapped as the entrypoint maps it
        return entrypoint.response_from_exception(exc)


def test_the_public_scoreboard_needs_no_token_and_may_be_cached(gateway):
    response = call(gateway, "scoreboard", MONTH)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    board = json.loads(response.get_data())
    assert {u["key"]: u["received"] for u in board["units"]} == {A: 5, B: 2, C: 1}
    assert board["units"][0]["from"] == "2026-11-01"


@pytest.mark.parametrize("route", ["figures", "trends", "assessment", "lagging"])
def test_staff_routes_need_a_token(gateway, route):
    assert call(gateway, route, MONTH).status_code == 401
    assert call(gateway, "bulletin", MONTH, document_format="pdf").status_code == 401


def test_a_unit_sees_its_own_figures_and_not_anothers(gateway):
    [row] = json.loads(call(gateway, "figures", MONTH, UNIT).get_data())
    assert row["received"] == 5 and row["repeats"] == 1
    denied = call(gateway, "figures", f"{MONTH}&unit_code={B}", UNIT)
    assert denied.status_code == 403 and json.loads(denied.get_data())["error"] == "forbidden"
    assert call(gateway, "lagging", MONTH, UNIT).status_code == 403


def test_a_bad_query_is_a_400_naming_the_field(gateway):
    response = call(gateway, "figures", "period=range&from=2026-11-30&to=2026-11-01", BUREAU)
    body = json.loads(response.get_data())
    assert response.status_code == 400 and "to" in body["details"]


def test_the_bureau_gets_breakdowns_lagging_units_and_trends(gateway):
    areas = json.loads(call(gateway, "figures", f"{MONTH}&by=area", BUREAU).get_data())
    assert {r["key"]: r["received"] for r in areas} == {"370100": 1, "370102": 6, "370114": 2}
    [named] = json.loads(call(gateway, "lagging", MONTH, BUREAU).get_data())
    assert named["key"] == A and len(named["reasons"]) == 2
    trends = json.loads(call(gateway, "trends", "date=2026-11-30&days=15", BUREAU).get_data())
    assert len(trends["series"]) == 30 and trends["categories"]["from"] == "2026-11-16"


def test_exports_download_as_csv_and_xlsx(gateway):
    response = call(gateway, "export_csv", MONTH, BUREAU, table="assessment")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="assessment.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["key"] for r in rows] == [C, B, A]
    bulletin = call(gateway, "bulletin", MONTH, BUREAU, document_format="xlsx")
    assert bulletin.status_code == 200
    assert load_workbook(io.BytesIO(bulletin.get_data())).sheetnames[0] == "概况"
    printable = call(gateway, "bulletin", MONTH, BUREAU, document_format="pdf")
    assert printable.headers["Content-Type"] == "application/pdf"
    assert printable.get_data().startswith(b"%PDF")
    assert call(gateway, "bulletin", MONTH, BUREAU, document_format="doc").status_code == 400
    assert call(gateway, "export_csv", MONTH, BUREAU, table="people").status_code == 400



def test_the_public_list_of_concluded_cases_and_withholding_one(gateway):
    response = call(gateway, "published_cases", MONTH)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    page = json.loads(response.get_data())
    assert [c["case_number"][-2:] for c in page["cases"]] == ["02", "07", "01", "10"]
    assert page["cases"][0]["timeline"][0]["step"] == "提交"
    assert call(gateway, "published_cases", "limit=0").status_code == 400
    # withholding: a bureau's, with a reason; then the case is gone from the list
    case = page["cases"][1]["case_number"]
    assert call(gateway, "withhold", actor=UNIT, body={"reason": "涉及隐私"},
                case_number=case).status_code == 403
    assert call(gateway, "withhold", actor=BUREAU, body={},
                case_number=case).status_code == 400
    done = call(gateway, "withhold", actor=BUREAU, body={"reason": "涉及隐私"}, case_number=case)
    assert json.loads(done.get_data()) == {"case_number": case, "withheld": True,
                                           "reason": "涉及隐私"}
    page = json.loads(call(gateway, "published_cases", MONTH).get_data())
    assert case not in [c["case_number"] for c in page["cases"]]


def test_open_data_downloads_as_public_csv(gateway):
    response = call(gateway, "open_data", MONTH)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert 'filename="open-data.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows and all("case_number" not in row for row in rows)


def test_scheduled_bulletins_are_listed_and_downloaded(gateway):
    listed = json.loads(call(gateway, "bulletins", actor=BUREAU).get_data())
    assert call(gateway, "bulletins", actor=UNIT).status_code == 403
    assert {b["format"] for b in listed} == {"xlsx", "pdf"}  # made when the worker started
    pdf = next(b for b in listed if b["format"] == "pdf")
    document = call(gateway, "stored_bulletin", actor=BUREAU, bulletin_id=pdf["id"])
    assert document.status_code == 200 and document.get_data().startswith(b"%PDF")
    assert call(gateway, "stored_bulletin", actor=BUREAU, bulletin_id=10**6).status_code == 404
