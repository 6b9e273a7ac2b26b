"""The work queue across the city's and a county's tracking (COUNTIES, the
gateway's services/gateway/dependencies.py): over real HTTP, the RPC side
replaced by real tracking workers on SQLite stores (the city's, 章丘区's), the
page the gateway merges is the page one tracking holding every case answers,
for every order, filter and page, and the totals are the sums."""
import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
import requests
from nameko.testing.services import worker_factory

from core.actors import ActorSigner
from core.config import load_config
from deploy.keys import new_secrets
from services.gateway.dependencies import MERGED_OFFSET_MAX, _Deployments
from services.tracking.clocks import clocks_from_config
from services.tracking.models import Base, Case
from services.tracking.schemas import QUEUE_ROW_ORDERS, QUEUE_SORTS, CaseSummarySchema
from services.tracking.service import TrackingService
from tests.kit import AsStaffRpc, gateway_url, sqlite_store

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


def copy(case):
    return Case(**{c.name: getattr(case, c.name) for c in Case.__table__.columns})


@pytest.fixture
def stores(tmp_path):
    """The city's, the county's, and one tracking store that holds every case."""
    with sqlite_store(f"sqlite:///{tmp_path}/city.db", Base) as city, \
            sqlite_store(f"sqlite:///{tmp_path}/county.db", Base) as county, \
            sqlite_store(f"sqlite:///{tmp_path}/one.db", Base) as one:
        add(cases(), city, county, one)
        yield city, county, one


def add(found, city, county, one):
    found = list(found)
    for store, mine in ((one, found), (county, [c for c in found if c.area_code.startswith(
            COUNTY)]), (city, [c for c in found if not c.area_code.startswith(COUNTY)])):
        with store.transaction() as tx:
            tx.session.add_all([copy(case) for case in mine])


@pytest.fixture
def trackings(stores):
    clocks = clocks_from_config(load_config("tracking"))
    return [AsStaffRpc(worker_factory(TrackingService, store=store, clocks=clocks,
                                      routing=Routing()), KEYS["ACTOR_VERIFY_KEY"])
            for store in stores]


@pytest.fixture
def url(trackings):
    with gateway_url({"tracking": _Deployments(trackings[:2]), "routing": Routing()},
                     KEYS) as address:
        yield address


def get(url, path, **params):
    return requests.get(f"{url}{path}", params=params, timeout=10, headers={
        "Authorization": f"Bearer {SIGNER.issue(CITY_BUREAU)[0]}"})


def one_tracking(trackings, status=None, limit=100, offset=0, **filters):
    return CaseSummarySchema(many=True).dump(trackings[2].list_cases(
        SIGNER.issue(CITY_BUREAU)[0], status, limit, offset, **filters))


@pytest.mark.parametrize("sort", QUEUE_SORTS)
def test_each_order_and_page_is_one_trackings(url, trackings, sort):
    assert set(QUEUE_ROW_ORDERS) == set(QUEUE_SORTS)
    whole = one_tracking(trackings, sort=sort)
    assert len(whole) == 40
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
