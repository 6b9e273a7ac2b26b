"""The people's suggestions' figures route over real HTTP, fast: the gateway
with its reports RPC replaced by the reports service's own worker on a SQLite
store fed the steps of tests/suggestion_steps.py (no broker). Public and
cacheable; bad input is a 400 naming the field, in Chinese with English."""
import pytest
import requests
from nameko.testing.services import worker_factory

from deploy.keys import new_secrets
from services.reports.models import Base
from services.reports.service import ReportsService
from services.reports.settings import Settings
from tests.kit import gateway_url, sqlite_store
from tests.suggestion_steps import (
    EXPECTED_JT,
    EXPECTED_NO_TOPIC,
    EXPECTED_TOPIC,
    EXPECTED_ZJJ,
    NOVEMBER,
    loaded_steps,
)

KEYS = new_secrets()


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    store_url = f"sqlite:///{tmp_path_factory.mktemp('reports')}/reports.db"
    with sqlite_store(store_url, Base) as store:
        reports = worker_factory(ReportsService, store=store, settings=Settings.from_config({}))
        for step in loaded_steps():
            reports.on_suggestion_step(step)
        with gateway_url({"reports": reports}, KEYS) as address:
            yield address


def get(url, headers=None, **params):
    return requests.get(f"{url}/reports/suggestions", params=params, headers=headers, timeout=10)


def test_anyone_may_read_them_and_caches_may_keep_them(url):
    response = get(url, **NOVEMBER)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "public, max-age=300"
    figures = response.json()
    assert (figures["from"], figures["to"]) == ("2026-11-01", "2026-11-30")
    assert figures["topics"] == [EXPECTED_TOPIC, EXPECTED_NO_TOPIC]
    assert figures["departments"] == [EXPECTED_JT, EXPECTED_ZJJ]
    assert "adoption_rate" in figures["method"]


def test_one_topic_and_department(url):
    figures = get(url, **NOVEMBER, topic=7, department="370100-JTYSJ").json()
    assert [row["key"] for row in figures["topics"]] == ["7"]
    assert figures["departments"] == [EXPECTED_JT]


@pytest.mark.parametrize("params, field", [
    ({"period": "decade"}, "period"), ({"topic": "abc"}, "topic"), ({"topic": "-1"}, "topic"),
    ({"department": "x" * 41}, "department"), ({"area_code": "3701x"}, "area_code"),
    ({"period": "range", "from": "2026-11-01"}, "to"), ({"date": "2026-13-01"}, "date"),
    # a period around the calendar's last day would end past it: refused, not a 500
    ({"date": "9999-12-31"}, "date"), ({"period": "range", "from": "0001-01-01",
                                        "to": "2026-11-01"}, "from"),
])
def test_bad_input_is_a_400_naming_the_field(url, params, field):
    response = get(url, **params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_input" and set(body["details"]) == {field}
    [reason] = body["details"][field]
    assert any("\u4e00" <= c <= "\u9fff" for c in reason) and "(" in reason, reason


def test_an_error_comes_in_the_language_asked_for(url):
    english = get(url, headers={"Accept-Language": "en"}, topic="abc").json()
    assert english["message"] == "The input is not valid" and "topic" in english["details"]
    chinese = get(url, headers={"Accept-Language": "zh"}, topic="abc").json()
    assert chinese["message"] == "输入有误"
