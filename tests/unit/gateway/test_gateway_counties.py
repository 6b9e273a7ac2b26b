"""The work queue across the city's and a county's tracking (COUNTIES, the
gateway's services/gateway/dependencies.py): over real HTTP, the RPC side
replaced by real tracking workers on SQLite stores (the city's, 章丘区's), the
page the gateway merges is the page one tracking holding every case answers,
for every order, filter and page, and the totals are the sums; so are the
supervision queue's pages, the per-unit supervision record, the caseload and
the public list (Open311).
With the county's tracking unreachable, the lists are the city's, saying so;
a case only the county may hold is a 503 naming it."""
import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
import requests
from nameko.testing.services import worker_factory

from core.actors import ActorSigner
from core.config import load_config
from core.errors import InvalidInput, ServiceUnavailable
from deploy.keys import new_secrets
from services.gateway.dependencies import MERGED_OFFSET_MAX, _Deployments
from services.tracking.clocks import clocks_from_config
from services.tracking.models import Base, Case, SupervisionOrder
from services.tracking.schemas import (
    QUEUE_ORDERS,
    QUEUE_SORTS,
    SUPERVISION_QUEUE_ORDER,
    CaseloadSchema,
    CaseSummarySchema,
    OrderSchema,
    UnitSupervisionSchema,
    sort_rows,
)
from services.tracking.service import TrackingService
from tests.kit import AsStaffRpc, PerWorker, gateway_url, sqlite_store

KEYS = new_secrets()
SIGNER = ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 600)
CITY_BUREAU = {"username": "sun", "unit_code": "370100-bureau", "unit_name": "济南市信访局",
               "role": "bureau_supervisor", "area_code": "370100"}
COUNTY = "370114"
UNITS = ("370102-housing", f"{COUNTY}-housing", "370100-bureau")
STATUSES = ("routed", "accepted", "replied")
TODAY = date.today()
DUE = (None, TODAY - timedelta(days=3), TODAY + timedelta(days=1), TODAY + timedelta(days=40))


class Routing:
    def units(self):
        return []


def cases():
    """Cases of every kind, a few of them alike in what the orders compare (the
    same due date or submission time: the number decides), some in the county."""
    start = datetime(2026, 11, 1, 1, tzinfo=timezone.utc)
    for n in range(1, 41):
        area = f"{COUNTY}001" if n % 3 == 0 else "370102001"
        yield Case(case_number=f"JN20261{101 + n % 4}-{n:06d}", status=STATUSES[n % 3],
                   area_code=area, unit_code=f"{COUNTY}-housing" if area.startswith(COUNTY)
                   else UNITS[n % 2 * 2], unit_name="某单位", track="standard",
                   category="housing", title="小区供暖不热", due_date=DUE[n % 4],
                   submitted_at=None if n % 7 == 0 else start + timedelta(hours=n % 5),
                   routing_seq=1, supervision_open=n % 5 == 0, extension_state="none",
                   review_state="none", report_back_required=False)


def orders():
    """Supervision orders on most of those cases, in every state, many due the
    same day (their number decides), numbered as the one store numbers them."""
    opened = datetime(2026, 11, 2, 1, tzinfo=timezone.utc)
    for n, case in enumerate(cases(), start=1):
        if n % 4 == 1:
            continue
        status = ("open", "answered", "escalated", "closed")[n % 4]
        yield SupervisionOrder(
            id=n, case_number=case.case_number, area_code=case.area_code,
            unit_code=case.unit_code, kind="overdue", status=status, reason="逾期未办结",
            answer_due=TODAY + timedelta(days=n % 3), counted_against_unit=n % 6 == 0,
            opened_at=opened, closed_at=opened + timedelta(days=n) if status == "closed" else None)


def copy(row):
    return type(row)(**{c.name: getattr(row, c.name) for c in row.__table__.columns})


@pytest.fixture
def stores(tmp_path):
    """The city's, the county's, and one tracking store that holds every case."""
    with sqlite_store(f"sqlite:///{tmp_path}/city.db", Base) as city, \
            sqlite_store(f"sqlite:///{tmp_path}/county.db", Base) as county, \
            sqlite_store(f"sqlite:///{tmp_path}/one.db", Base) as one:
        add(cases(), city, county, one)
        add(orders(), city, county, one)
        yield city, county, one


def add(found, city, county, one):
    """Rows (cases, orders) to the one store, and each to its deployment's by its area."""
    found = list(found)
    for store, mine in ((one, found), (county, [c for c in found if c.area_code.startswith(
            COUNTY)]), (city, [c for c in found if not c.area_code.startswith(COUNTY)])):
        with store.transaction() as tx:
            tx.session.add_all([copy(row) for row in mine])


@pytest.fixture
def trackings(stores):
    clocks = clocks_from_config(load_config("tracking"))
    return [AsStaffRpc(worker_factory(TrackingService, store=store, clocks=clocks,
                                      routing=Routing()), KEYS["ACTOR_VERIFY_KEY"])
            for store in stores]


@pytest.fixture
def url(trackings):
    with gateway_url({"tracking": PerWorker(lambda: _Deployments(trackings[:2], [COUNTY])),
                      "routing": Routing()}, KEYS) as address:
        yield address


def get(url, path, **params):
    return requests.get(f"{url}{path}", params=params, timeout=10, headers={
        "Authorization": f"Bearer {SIGNER.issue(CITY_BUREAU)[0]}"})


def one_tracking(trackings, status=None, limit=100, offset=0, **filters):
    return CaseSummarySchema(many=True).dump(trackings[2].list_cases(
        SIGNER.issue(CITY_BUREAU)[0], status, limit, offset, **filters))


@pytest.mark.parametrize("sort", QUEUE_SORTS)
def test_each_order_and_page_is_one_trackings(url, trackings, sort):
    whole = one_tracking(trackings, sort=sort)
    assert len(whole) == 40
    # the rows' order (the gateway's merge) is the query's, from any start
    order = QUEUE_ORDERS[sort]
    assert sort_rows(whole[::-1], order, CaseSummarySchema) == \
        sort_rows(whole[13:] + whole[:13], order, CaseSummarySchema) == whole
    assert [r["case_number"] for r in get(url, "/cases", sort=sort).json()] == \
        [r["case_number"] for r in whole]
    for limit, offset in itertools.product((1, 7, 40), (0, 5, 13, 39, 45)):
        page = get(url, "/cases", sort=sort, limit=limit, offset=offset)
        assert page.status_code == 200
        assert page.json() == whole[offset:offset + limit], (limit, offset)


@pytest.mark.parametrize("filters", [
    {"search": "JN20261102"}, {"search": "JN20261103-00001"}, {"unit_code": f"{COUNTY}-housing"},
    {"unit_code": "370102-housing", "status": "accepted"}, {"queue": "overdue"},
    {"queue": "supervised", "sort": "newest"}, {"queue": "due_soon", "search": "jn2026110"},
    {"status": "replied", "sort": "oldest", "search": "JN20261104"}])
def test_the_filters_reach_every_deployment(url, trackings, filters):
    whole = one_tracking(trackings, **filters)
    assert whole and len(whole) < 40  # the filter does filter
    page = get(url, "/cases", limit=3, offset=1, **filters)
    assert page.json() == whole[1:4]
    totals = get(url, "/cases/totals", **filters).json()
    assert totals == trackings[2].queue_totals(SIGNER.issue(CITY_BUREAU)[0], **filters)
    assert totals["matching"] == len(whole)


def test_bad_filters_are_a_400_naming_the_field(url):
    for field, value in (("sort", "alphabetical"), ("search", "JN 2026"), ("limit", "501")):
        answer = get(url, "/cases", **{field: value})
        assert answer.status_code == 400 and field in answer.json()["details"], answer.text


def test_a_merged_page_deeper_than_the_bound_is_a_400_naming_offset(url):
    # each deployment would be asked for offset / 500 pages of rows to merge
    answer = requests.get(f"{url}/cases", params={"offset": MERGED_OFFSET_MAX + 1},
                          timeout=10, headers={
                              "Authorization": f"Bearer {SIGNER.issue(CITY_BUREAU)[0]}",
                              "Accept-Language": "en"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["details"] == {"offset": [
        f"at most {MERGED_OFFSET_MAX} rows in when the counties' queues are merged; "
        "narrow the search"]}
    assert get(url, "/cases", offset=MERGED_OFFSET_MAX).status_code == 200


def test_a_page_past_one_request_is_asked_for_in_parts(url, trackings, stores):
    """offset + limit above QUEUE_PAGE_MAX (500): each deployment answers in
    pages; the city's last cases (due latest) come in its second."""
    many = []
    for n in range(1, 481):
        case = copy(next(cases()))
        case.case_number, case.due_date = f"JN20261201-{n:06d}", TODAY + timedelta(days=100)
        many.append(case)
    add(many, *stores)
    page = get(url, "/cases", limit=500, offset=30).json()
    assert len(page) == 490
    assert page == one_tracking(trackings, limit=500, offset=30)


def token():
    return SIGNER.issue(CITY_BUREAU)[0]


@pytest.mark.parametrize("status", [None, "open", "closed"])
def test_each_page_of_the_supervision_queue_is_one_trackings(url, trackings, status):
    asked = {"status": status} if status else {}
    whole = OrderSchema(many=True).dump(trackings[2].supervision_orders(token(), status))
    assert whole and {o["status"] for o in whole} >= ({status} if status else
                                                      {"open", "closed"})
    # the one tracking's own pages are its whole list cut
    assert OrderSchema(many=True).dump(trackings[2].supervision_orders(
        token(), status, 3, 2)) == whole[2:5]
    assert get(url, "/supervision", **asked).json() == whole
    for limit, offset in itertools.product((1, 7, 40), (0, 5, 13, 29, 45)):
        page = get(url, "/supervision", limit=limit, offset=offset, **asked)
        assert page.status_code == 200, page.text
        assert page.json() == whole[offset:offset + limit], (limit, offset)


def test_the_supervision_queues_rows_sort_as_its_query_orders_them(trackings):
    whole = OrderSchema(many=True).dump(trackings[2].supervision_orders(token()))
    # open and closed ones, several due the same day (the number decides)
    assert {o["closed_at"] is None for o in whole} == {True, False}
    assert len({o["answer_due"] for o in whole}) < len(whole)
    # the rows' order (the gateway's merge) is the query's, from any start
    for start in (whole[::-1], whole[13:] + whole[:13]):
        assert sort_rows(start, SUPERVISION_QUEUE_ORDER, OrderSchema) == whole
    # two deployments may number an order alike: the case number decides
    twins = [{**whole[0], "case_number": "JN20261199-999999"}, whole[0]]
    assert sort_rows(twins, SUPERVISION_QUEUE_ORDER, OrderSchema) == twins[::-1]


def test_the_supervision_record_is_one_trackings(url, trackings):
    whole = UnitSupervisionSchema(many=True).dump(trackings[2].supervision_record(token()))
    assert len(whole) == 3 and any(r["counted_against_unit"] for r in whole)
    assert get(url, "/supervision/units").json() == whole


def test_the_caseload_is_one_trackings(url, trackings):
    whole = CaseloadSchema().dump(trackings[2].caseload(token()))
    assert sum(whole["by_status"].values()) == 40
    assert get(url, "/reports/caseload").json() == whole


@pytest.mark.parametrize("query", [
    {}, {"category": "housing", "statuses": ["replied", "accepted"]}, {"area_code": COUNTY},
    {"start": "2026-11-01T03:00:00+00:00"}])
def test_the_public_list_is_one_trackings(trackings, query):
    """Open311's list of requests (routes/open311.py asks tracking.public_requests):
    the deployments' merged, newest first, paged as the one tracking pages it."""
    merged = _Deployments(trackings[:2], [COUNTY])
    whole = trackings[2].public_requests({**query, "limit": 200})
    assert 3 < len(whole) < 40  # unsubmitted cases are not listed
    assert merged.public_requests({**query, "limit": 200}) == whole
    for limit, offset in itertools.product((1, 7, 40), (0, 5, 13, 33)):
        assert merged.public_requests({**query, "limit": limit, "offset": offset}) == \
            whole[offset:offset + limit], (limit, offset)
    assert merged.unreachable == []


def test_a_bad_supervision_page_is_a_400_naming_the_field(url, trackings):
    for field, value in (("status", "pending"), ("limit", "0"), ("limit", "501"),
                         ("offset", "-1"), ("offset", str(MERGED_OFFSET_MAX + 1))):
        answer = get(url, "/supervision", **{field: value})
        assert answer.status_code == 400 and list(answer.json()["details"]) == [field], \
            (field, value, answer.text)
    assert get(url, "/supervision", offset=MERGED_OFFSET_MAX).json() == []
    # one tracking (no county) refuses the same page itself
    with pytest.raises(InvalidInput) as refused:
        trackings[2].supervision_orders(token(), None, 501, 0)
    assert list(refused.value.details) == ["limit"]


class Unreachable:
    """A county's tracking that does not answer, as TimedRpcProxy tells it."""

    def __getattr__(self, method):
        def call(*args, **kwargs):
            raise ServiceUnavailable(f"tracking_{COUNTY} is not reachable; try again later")
        return call


ZHANGQIU = {"deployment": f"tracking_{COUNTY}", "area_code": COUNTY, "name": "章丘区",
            "name_en": "Zhangqiu District", "message": f"章丘区（{COUNTY}）的部署暂时无法连接",
            "message_en": f"The deployment of Zhangqiu District ({COUNTY}) could not be reached"}


@pytest.fixture
def county_down(trackings):
    """The gateway with the city's tracking and 章丘区's unreachable."""
    with gateway_url({"tracking": PerWorker(lambda: _Deployments(
            [trackings[0], Unreachable()], [COUNTY])), "routing": Routing()}, KEYS) as address:
        yield address


def city_only(trackings, method, *args, **kwargs):
    return getattr(trackings[0], method)(token(), *args, **kwargs)


def test_a_county_down_leaves_the_bureau_its_own_cases_saying_which_is_missing(
        county_down, trackings):
    for path, params, schema, own in (
            ("/cases", {"sort": "newest"}, CaseSummarySchema(many=True),
             city_only(trackings, "list_cases", None, 100, 0, sort="newest")),
            ("/supervision", {}, OrderSchema(many=True),
             city_only(trackings, "supervision_orders")),
            ("/supervision/units", {}, UnitSupervisionSchema(many=True),
             city_only(trackings, "supervision_record"))):
        answer = get(county_down, path, **params)
        assert answer.status_code == 200, answer.text
        assert answer.json() == schema.dump(own) and own, path
        assert answer.headers["Unreachable-Deployments"] == COUNTY, path
    for path, own in (("/cases/totals", city_only(trackings, "queue_totals")),
                      ("/reports/caseload", CaseloadSchema().dump(
                          city_only(trackings, "caseload")))):
        answer = get(county_down, path)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {**own, "unreachable": [ZHANGQIU]}, path
        assert answer.headers["Unreachable-Deployments"] == COUNTY
    public = _Deployments([trackings[0], Unreachable()], [COUNTY])
    assert public.public_requests({}) == trackings[0].public_requests({})
    assert public.unreachable == [COUNTY]


def test_a_case_only_the_down_county_may_hold_is_a_503_naming_it(county_down, trackings):
    county_case = next(c.case_number for c in cases() if c.area_code.startswith(COUNTY))
    handler = {"username": "li", "unit_code": f"{COUNTY}-housing", "unit_name": "章丘区住建局",
               "role": "handler", "area_code": COUNTY}
    # the bureau reads it, the county's handler would accept it
    for method, path, actor in (("GET", "", CITY_BUREAU), ("POST", "/accept", handler)):
        answer = requests.request(method, f"{county_down}/cases/{county_case}{path}",
                                  timeout=10, headers={
                                      "Authorization": f"Bearer {SIGNER.issue(actor)[0]}",
                                      "Accept-Language": "en"})
        assert answer.status_code == 503, answer.text
        assert answer.json() == {
            "error": "service_unavailable",
            "message": f"the deployment of {COUNTY} could not be reached and may hold the "
                       "case; try again later",
            "details": {"unreachable": [ZHANGQIU]}}
    # a case the city holds is the city's answer, the county down or not
    city_case = next(c.case_number for c in cases() if not c.area_code.startswith(COUNTY))
    deployments = _Deployments([trackings[0], Unreachable()], [COUNTY])
    assert deployments.staff_case(city_case, token())["case_number"] == city_case
    assert deployments.unreachable == []


def test_with_every_deployment_down_the_bureau_view_is_a_503(trackings):
    with gateway_url({"tracking": PerWorker(lambda: _Deployments(
            [Unreachable(), Unreachable()], [COUNTY])), "routing": Routing()}, KEYS) as url:
        for path in ("/cases", "/cases/totals", "/supervision"):
            assert get(url, path).status_code == 503, path


@pytest.mark.parametrize("configured, names", [
    ([], ["tracking"]), ([COUNTY], ["tracking", f"tracking_{COUNTY}"])])
def test_each_worker_is_given_the_city_and_county_trackings(configured, names):
    """The gateway's provider (nothing above builds it: the routes get
    _Deployments directly): a proxy per deployment, a new _Deployments per
    worker, so what one request could not reach is not another's."""
    from types import SimpleNamespace

    from services.gateway.dependencies import Trackings
    provider = Trackings()
    provider.container = SimpleNamespace(config={"COUNTIES": configured})
    provider.setup()
    first, second = (provider.get_dependency(SimpleNamespace(data={}, call_id_stack=[]))
                     for _ in range(2))
    if not configured:
        assert not isinstance(first, _Deployments) and first._name == "tracking"
        return
    assert [d._name for d in first.all] == names and first.counties == [None, COUNTY]
    assert first is not second and first.unreachable == [] == second.unreachable
