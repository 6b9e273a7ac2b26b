"""The figures routes over real HTTP, fast: the gateway with its reports RPC
replaced by the reports service's own entrypoints on a SQLite store holding
the month of tests/reports_month.py (no broker)."""
import csv
import io

import pytest
import requests
from nameko.testing.services import worker_factory
from openpyxl import load_workbook

from core.actors import ActorSigner
from deploy.keys import new_secrets
from services.reports.models import Base
from services.reports.service import ReportsService
from services.reports.settings import Settings
from tests.kit import AsStaffRpc, gateway_url, sqlite_store
from tests.reports_month import RULES, A, B, C, feed, loaded_events

KEYS = new_secrets()
BUREAU = {"username": "city_bureau", "unit_code": "370100-XFJ", "unit_name": "济南市信访局",
          "role": "bureau_supervisor", "area_code": "370100"}
UNIT = {"username": "lixia_housing", "unit_code": A, "unit_name": "历下区住房和城乡建设局",
        "role": "handler", "area_code": "370102"}
MONTH = {"period": "month", "date": "2026-11-15"}


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    settings = Settings.from_config({"ASSESSMENT": RULES})
    store_url = f"sqlite:///{tmp_path_factory.mktemp('reports')}/reports.db"
    with sqlite_store(store_url, Base) as store:
        feed(store, settings, loaded_events())
        reports = worker_factory(ReportsService, store=store, settings=settings)
        reports.make_due_bulletins()  # as the timer does when the service starts
        staff = AsStaffRpc(reports, KEYS["ACTOR_VERIFY_KEY"])
        with gateway_url({"reports": staff}, KEYS) as address:
            yield address


def token_for(actor):
    return ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 600).issue(actor)[0]


def get(url, path, actor=None, **params):
    headers = {"Authorization": f"Bearer {token_for(actor)}"} if actor else {}
    return requests.get(f"{url}{path}", params=params, headers=headers, timeout=10)


def test_the_public_scoreboard_needs_no_token_and_may_be_cached(url):
    response = get(url, "/public/scoreboard", **MONTH)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    board = response.json()
    assert {u["key"]: u["received"] for u in board["units"]} == {A: 5, B: 2, C: 1}
    assert board["units"][0]["from"] == "2026-11-01"


@pytest.mark.parametrize("path", ["/reports/figures", "/reports/trends", "/reports/assessment",
                                  "/reports/lagging", "/reports/bulletin.pdf",
                                  "/reports/bulletins", "/reports/export/figures.csv"])
def test_staff_routes_need_a_token(url, path):
    assert get(url, path, **MONTH).status_code == 401


def test_a_unit_sees_its_own_figures_and_not_anothers(url):
    [row] = get(url, "/reports/figures", UNIT, **MONTH).json()
    assert row["received"] == 5 and row["repeats"] == 1
    denied = get(url, "/reports/figures", UNIT, **MONTH, unit_code=B)
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    assert get(url, "/reports/lagging", UNIT, **MONTH).status_code == 403


def test_a_bad_query_is_a_400_naming_the_field(url):
    response = get(url, "/reports/figures", BUREAU, period="range", **{
        "from": "2026-11-30", "to": "2026-11-01"})
    assert response.status_code == 400 and "to" in response.json()["details"]
    # a month around the calendar's last day would end past it: a 400, not a 500
    late = get(url, "/public/scoreboard", period="month", date="9999-12-31")
    assert late.status_code == 400 and set(late.json()["details"]) == {"date"}


def test_the_bureau_gets_breakdowns_lagging_units_and_trends(url):
    areas = get(url, "/reports/figures", BUREAU, **MONTH, by="area").json()
    assert {r["key"]: r["received"] for r in areas} == {"370100": 1, "370102": 6, "370114": 2}
    [named] = get(url, "/reports/lagging", BUREAU, **MONTH).json()
    assert named["key"] == A and len(named["reasons"]) == 2
    trends = get(url, "/reports/trends", BUREAU, date="2026-11-30", days=15).json()
    assert len(trends["series"]) == 30 and trends["categories"]["from"] == "2026-11-16"


def test_exports_download_as_csv_xlsx_and_pdf(url):
    response = get(url, "/reports/export/assessment.csv", BUREAU, **MONTH)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="assessment.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["key"] for r in rows] == [C, B, A]
    bulletin = get(url, "/reports/bulletin.xlsx", BUREAU, **MONTH)
    assert load_workbook(io.BytesIO(bulletin.content)).sheetnames[0] == "概况"
    printable = get(url, "/reports/bulletin.pdf", BUREAU, **MONTH)
    assert printable.headers["Content-Type"] == "application/pdf"
    assert printable.content.startswith(b"%PDF")
    assert get(url, "/reports/bulletin.doc", BUREAU, **MONTH).status_code == 400
    assert get(url, "/reports/export/people.csv", BUREAU, **MONTH).status_code == 400


def test_open_data_downloads_as_public_csv(url):
    response = get(url, "/public/open-data.csv", **MONTH)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert 'filename="open-data.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and all("case_number" not in row for row in rows)


def test_scheduled_bulletins_are_listed_and_downloaded(url):
    listed = get(url, "/reports/bulletins", BUREAU).json()
    assert get(url, "/reports/bulletins", UNIT).status_code == 403
    assert {b["format"] for b in listed} == {"xlsx", "pdf"}  # made when the worker started
    pdf = next(b for b in listed if b["format"] == "pdf")
    document = get(url, f"/reports/bulletins/{pdf['id']}", BUREAU)
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    assert get(url, "/reports/bulletins/1000000", BUREAU).status_code == 404


def test_the_public_list_of_concluded_cases_and_withholding_one(url):
    response = get(url, "/public/cases", **MONTH)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    page = response.json()
    assert [c["case_number"][-2:] for c in page["cases"]] == ["02", "07", "01", "10"]
    assert page["cases"][0]["timeline"][0]["step"] == "提交"
    assert page["cases"][0]["timeline"][0]["step_en"] == "Submitted"
    assert get(url, "/public/cases", limit=0).status_code == 400

    case = page["cases"][1]["case_number"]

    def withhold(actor, body):
        headers = {"Authorization": f"Bearer {token_for(actor)}"}
        return requests.post(f"{url}/reports/cases/{case}/withhold", json=body,
                             headers=headers, timeout=10)
    assert withhold(UNIT, {"reason": "涉及隐私"}).status_code == 403
    assert withhold(BUREAU, {}).status_code == 400
    done = withhold(BUREAU, {"reason": "涉及隐私"})
    assert done.json() == {"case_number": case, "withheld": True, "reason": "涉及隐私"}
    listed = get(url, "/public/cases", **MONTH).json()["cases"]
    assert case not in [c["case_number"] for c in listed]
