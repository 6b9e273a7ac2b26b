"""The projections and the figures, from a month of events (tests/reports_month.py,
whose docstring shows each case) against a real SQLite store."""
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from core import events
from services.reports import figures, projections
from services.reports.models import (
    ArchivedEvent,
    CaseFact,
    DailyAreaCount,
    DailyCount,
    MonthlyAreaCount,
    MonthlyCount,
    QuarterlyCount,
    WeeklyCount,
    YearlyCount,
)
from services.reports.settings import Settings
from tests.reports_month import (
    AS_OF,
    EXPECTED_A,
    EXPECTED_B,
    EXPECTED_C,
    NOVEMBER,
    A,
    B,
    C,
    at,
    feed,
    loaded_events,
)


def query(store, **q):
    with store.transaction() as tx:
        return figures.figures(tx, {**NOVEMBER, **q}, AS_OF)


def by_key(rows):
    return {row["key"]: row for row in rows}


def assert_figures(row, expected):
    assert {k: row[k] for k in expected} == expected


def test_each_units_month_is_what_the_hand_count_says(month):
    units = by_key(query(month, by="unit"))
    assert_figures(units[A], EXPECTED_A)
    assert_figures(units[B], EXPECTED_B)
    assert_figures(units[C], EXPECTED_C)
    assert units[A]["name"] == "历下区住房和城乡建设局"
    # the rejected petition belongs to no unit: received and declined
    assert_figures(units[""], dict(received=1, declined=1, due=0))


def test_the_city_total_is_the_sum_and_an_area_rolls_up_its_towns(month):
    [city] = query(month, area_code="370100")
    assert_figures(city, dict(received=9, declined=1, returned=1, concluded=5, due=9,
                              on_time=4, overdue=5, rated=6, repeats=1))
    areas = by_key(query(month, area_code="370100", by="area"))
    assert {k: r["received"] for k, r in areas.items()} == {
        "370100": 1, "370102": 6, "370114": 2}
    # 370102 includes its town 370102001 (case 2); broken down, the town stands alone
    [district] = query(month, area_code="370102")
    assert district["received"] == 6
    towns = by_key(query(month, area_code="370102", by="area"))
    assert {k: r["received"] for k, r in towns.items()} == {"370102": 5, "370102001": 1}
    [town] = query(month, area_code="370102001")
    assert_figures(town, dict(received=1, concluded=1, due=1, on_time=0))


def test_category_channel_and_day_breakdowns(month):
    categories = by_key(query(month, by="category"))
    assert {k: r["received"] for k, r in categories.items()} == {
        "housing": 3, "labor": 4, "urban_management": 1, "litigation": 1}
    channels = by_key(query(month, by="channel"))
    assert {k: r["received"] for k, r in channels.items()} == {"online": 7, "proxy": 2}
    [proxy_housing] = query(month, channel="proxy", category="housing")
    assert_figures(proxy_housing, dict(received=1, concluded=1, on_time=0, due=1))
    days = by_key(query(month, by="day"))
    assert days["2026-11-20"]["received"] == 1 and days["2026-11-20"]["concluded"] == 1
    assert sum(r["received"] for r in days.values()) == 9


@pytest.mark.parametrize("period, anchor, received", [
    ("day", date(2026, 11, 3), 1),           # case 2
    ("week", date(2026, 11, 11), 3),         # Mon 11-09 .. Sun 11-15: cases 6, 3, 9
    ("month", date(2026, 10, 5), 1),         # October: case 10
    ("quarter", date(2026, 11, 1), 10),      # Q4
    ("year", date(2026, 6, 1), 10),
])
def test_periods(month, period, anchor, received):
    [row] = query(month, period=period, date=anchor)
    assert row["received"] == received


def test_any_range_and_a_due_date_not_yet_passed_is_neither_on_time_nor_overdue(month):
    [row] = query(month, period="range", start=date(2026, 11, 16), end=date(2026, 11, 30))
    assert row["from"] == "2026-11-16" and row["received"] == 3  # cases 4, 7, 8
    with month.transaction() as tx:
        # as of 11-25: A's cases due 11-11 .. 11-24 count (10, 1, 2, 3); 11-26 and 11-30 not yet
        [early] = figures.figures(tx, {**NOVEMBER, "unit_code": A}, date(2026, 11, 25))
    assert_figures(early, dict(due=4, on_time=2, overdue=2, on_time_rate=0.5))


def test_a_rebuild_from_the_archive_gives_identical_figures(month, settings):
    before = [query(month, by=by) for by in (None, "unit", "area", "category", "day")]
    tables = [model.__table__ for model, _ in projections.COUNTER_TABLES]
    assert len(tables) == 7
    with month.transaction() as tx:
        counters = [sorted(tx.session.execute(select(table)).all()) for table in tables]
        assert projections.rebuild(tx, settings) == len(loaded_events())
    with month.transaction() as tx:
        assert [sorted(tx.session.execute(select(table)).all()) for table in tables] == counters
    assert [query(month, by=by) for by in (None, "unit", "area", "category", "day")] == before


def test_events_in_any_order_give_the_same_figures(month, settings, store_factory):
    shuffled = store_factory()
    feed(shuffled, settings, reversed(loaded_events()))
    for by in (None, "unit", "area", "category", "channel"):
        assert query(shuffled, by=by) == query(month, by=by)
    counters = "select * from daily_counts order by 1, 2, 3, 4, 5, 6"
    with shuffled.transaction() as one, month.transaction() as other:
        assert one.session.execute(text(counters)).all() == \
            other.session.execute(text(counters)).all()


def test_repeats_of_one_petitioner_are_marked_by_time_whatever_order_they_arrive_in(
        store_factory):
    """Each submission reads only its neighbours in the petitioner's order
    (projections._mark_repeats): arriving in any order, a case is a repeat
    exactly when the one before it in time came within the window."""
    settings = Settings.from_config({"REPEAT_WINDOW_DAYS": 3})
    days = [1, 2, 9, 10, 10, 20, 22]  # two on day 10: the case number orders them
    submitted = [events.PETITION_SUBMITTED.load(events.PETITION_SUBMITTED.build(
        case_number=f"JN20261101-{n:06d}", area_code="370102", unit_code=None,
        category="housing", title="小区供暖温度不达标", submitted_at=at(11, day),
        channel="online", petitioner_key="ab" * 32, publish=True)) for n, day in enumerate(days)]
    expected = {f"JN20261101-{n:06d}": repeat for n, repeat in enumerate(
        [False, True, False, True, True, False, True])}
    for order in (range(7), reversed(range(7)), (3, 0, 6, 1, 5, 4, 2), (4, 2, 0, 6, 3, 5, 1)):
        store = store_factory()
        feed(store, settings, [(events.PETITION_SUBMITTED, submitted[n]) for n in order])
        with store.transaction() as tx:
            marks = dict(tx.session.execute(select(CaseFact.case_number, CaseFact.repeat)).all())
        assert marks == expected, list(order)
        [row] = query(store)
        assert row["repeats"] == 4


def test_a_late_older_routing_does_not_move_the_case_back(month, settings):
    routed_to_b = next(e for c, e in loaded_events() if e["case_number"] == "JN20261104-000004"
                       and c.event_type == "petition_routed" and e["routing_seq"] == 1)
    late = {**routed_to_b, "event_id": uuid.uuid4()}
    feed(month, settings, [(events.PETITION_ROUTED, late)])
    assert by_key(query(month, by="unit"))[A]["received"] == 5
    with month.transaction() as tx:
        assert tx.session.get(CaseFact, "JN20261104-000004").unit_code == A
        assert tx.session.scalar(select(func.count()).select_from(ArchivedEvent)) == \
            len(loaded_events()) + 1


def test_repeat_petitions_depend_on_the_window(store):
    short = Settings.from_config({"REPEAT_WINDOW_DAYS": 7})
    feed(store, short, loaded_events())
    # case 3 came 8 days after case 1: outside a 7-day window
    [row] = query(store)
    assert row["repeats"] == 0


def test_case_work_steps_transfer_extension_and_a_units_decline(store, settings):
    """Rows of the case-work events: a transfer counts for the unit that passed
    the case on, an approved extension moves the due date, a unit's decline
    takes the case out of what is due."""
    def event(contract, n, unit, when, **fields):
        return contract, contract.load(contract.build(
            case_number=f"JN20261102-00001{n}", area_code="370114", unit_code=unit,
            occurred_at=at(11, when), **fields))
    step = dict(actor="staff", from_state="routed", to_state="transferred")
    feed(store, settings, [
        event(events.PETITION_SUBMITTED, 1, None, 2, category="labor", title="工资", channel="online",
              submitted_at=at(11, 2)),
        event(events.PETITION_ROUTED, 1, B, 2, unit_name="B", category="labor", track="standard",
              due_date=date(2026, 11, 16), reason="规则", routing_seq=1),
        event(events.CASE_TRANSFERRED, 1, B, 3, **step, to_unit_code=C, routing_seq=1),
        event(events.PETITION_ROUTED, 1, C, 3, unit_name="C", category="labor", track="standard",
              due_date=date(2026, 11, 17), reason="转办", routing_seq=2),
        event(events.EXTENSION_APPROVED, 1, C, 10, **step, until=date(2026, 11, 27),
              reason="情况复杂"),
        event(events.CASE_REPLIED, 1, C, 20, replied_by="staff"),
        event(events.CASE_CONCLUDED, 1, C, 21, on_time=True),
        event(events.PETITION_SUBMITTED, 2, None, 4, category="labor", title="工资", channel="online",
              submitted_at=at(11, 4)),
        event(events.PETITION_ROUTED, 2, A, 4, unit_name="A", category="labor", track="standard",
              due_date=date(2026, 11, 18), reason="规则", routing_seq=1),
        event(events.CASE_DECLINED, 2, A, 5, **step, reason="不属于信访事项"),
    ])
    units = by_key(query(store, by="unit"))
    assert_figures(units[B], dict(received=0, transferred=1, due=0))
    assert_figures(units[C], dict(received=1, extended=1, due=1, on_time=1, overdue=0,
                                  concluded=1))
    assert_figures(units[A], dict(received=1, declined=1, due=0))
    days = by_key(query(store, by="day"))
    assert days["2026-11-27"]["due"] == 1 and days["2026-11-17"]["due"] == 0


# --- the monthly counters ---------------------------------------------------------

@pytest.mark.parametrize("model, first_day", [
    (MonthlyCount, lambda day: day.replace(day=1)),
    (WeeklyCount, lambda day: day - timedelta(days=day.weekday())),
    (QuarterlyCount, lambda day: date(day.year, day.month - (day.month - 1) % 3, 1)),
    (YearlyCount, lambda day: date(day.year, 1, 1)),
])
def test_the_longer_counters_are_the_daily_ones_summed_per_stretch(month, model, first_day):
    with month.transaction() as tx:
        daily = tx.session.execute(select(DailyCount)).scalars().all()
        monthly = tx.session.execute(select(model)).scalars().all()
    summed = {}
    for row in daily:
        key = (first_day(row.day), row.unit_code, row.area_code, row.category, row.channel,
               row.measure)
        summed[key] = summed.get(key, 0) + row.value
    assert {(r.day, r.unit_code, r.area_code, r.category, r.channel, r.measure): r.value
            for r in monthly} == {key: value for key, value in summed.items() if value}
    assert len(monthly) < len(daily)


@pytest.mark.parametrize("start, end, kinds, runs", [
    (date(2026, 1, 1), date(2026, 12, 31), figures.FULL_TABLES,
     [("year", date(2026, 1, 1), date(2026, 1, 1))]),
    (date(2026, 10, 15), date(2028, 2, 10), figures.FULL_TABLES,
     [("day", date(2026, 10, 15), date(2026, 10, 18)),  # Thursday to Sunday
      ("week", date(2026, 10, 19), date(2026, 10, 19)),
      ("day", date(2026, 10, 26), date(2026, 10, 31)),   # not the week over November 1st
      ("month", date(2026, 11, 1), date(2026, 12, 1)),
      ("year", date(2027, 1, 1), date(2027, 1, 1)),
      ("month", date(2028, 1, 1), date(2028, 1, 1)),
      ("day", date(2028, 2, 1), date(2028, 2, 10))]),
    (date(2026, 2, 1), date(2026, 11, 30), figures.FULL_TABLES,
     [("month", date(2026, 2, 1), date(2026, 3, 1)),
      ("quarter", date(2026, 4, 1), date(2026, 7, 1)),
      ("month", date(2026, 10, 1), date(2026, 11, 1))]),
    (date(2026, 1, 1), date(2026, 12, 31), figures.AREA_TABLES,
     [("month", date(2026, 1, 1), date(2026, 12, 1))]),
    (date(2026, 11, 2), date(2026, 11, 30), figures.FULL_TABLES,   # not a whole month
     [("week", date(2026, 11, 2), date(2026, 11, 23)), ("day", date(2026, 11, 30), date(2026, 11, 30))]),
    (date(2026, 10, 26), date(2026, 11, 1), figures.FULL_TABLES,   # a week over two months
     [("week", date(2026, 10, 26), date(2026, 10, 26))]),
    (date(2026, 11, 2), date(2026, 11, 30), figures.AREA_TABLES,
     [("day", date(2026, 11, 2), date(2026, 11, 30))]),
    (date(2024, 2, 1), date(2024, 2, 29), figures.FULL_TABLES,
     [("month", date(2024, 2, 1), date(2024, 2, 1))]),
])
def test_a_period_is_cut_into_the_largest_stretches_that_fit(start, end, kinds, runs):
    assert figures.stretches(start, end, kinds) == runs


@pytest.mark.parametrize("today", [AS_OF, date(2026, 12, 1), date(2027, 3, 1)])
@pytest.mark.parametrize("q", [
    {"period": "year", "date": date(2026, 6, 1)},
    {"period": "quarter", "date": date(2026, 11, 1), "by": "unit"},
    {"period": "range", "start": date(2026, 10, 20), "end": date(2026, 12, 31), "by": "area"},
    {"period": "year", "date": date(2026, 1, 1), "by": "category", "area_code": "370102"},
    {"period": "week", "date": date(2026, 11, 12), "by": "unit"},
    {"period": "range", "start": date(2026, 10, 28), "end": date(2026, 11, 29), "by": "unit"},
])
def test_figures_from_the_longer_counters_equal_the_daily_sums(month, monkeypatch, today, q):
    q = {"date": None, **q}
    with month.transaction() as tx:
        rolled_up = figures.figures(tx, q, today)
        monkeypatch.setattr(figures, "FULL_TABLES", {"day": DailyCount})
        monkeypatch.setattr(figures, "AREA_TABLES", {"day": DailyAreaCount})
        daily_only = figures.figures(tx, q, today)
    assert rolled_up == daily_only
    assert sum(row["received"] for row in rolled_up) > 0  # not two empty answers


# --- the area counters ------------------------------------------------------------

def test_the_area_counters_are_the_daily_ones_rolled_up_the_area_tree(month):
    with month.transaction() as tx:
        daily = tx.session.execute(select(DailyCount)).scalars().all()
        by_day = tx.session.execute(select(DailyAreaCount)).scalars().all()
        by_month = tx.session.execute(select(MonthlyAreaCount)).scalars().all()
    for rows, day_of in ((by_day, lambda day: day), (by_month, lambda day: day.replace(day=1))):
        summed = {}
        for row in daily:
            area = row.area_code
            for parent, code in (("", area[:4]), (area[:4], area[:6]), (area[:6], area)):
                key = (parent, code, day_of(row.day), row.measure)
                summed[key] = summed.get(key, 0) + row.value
        assert {(r.parent, r.area_code, r.day, r.measure): r.value for r in rows} == \
            {key: value for key, value in summed.items() if value}
    # a town's case under its district; a case at the district itself, as its own code
    keys = {(r.parent, r.area_code) for r in by_month}
    assert {("", "3701"), ("3701", "370102"), ("370102", "370102001"),
            ("370102", "370102"), ("3701", "370100")} <= keys


@pytest.mark.parametrize("today", [AS_OF, date(2026, 11, 25)])
@pytest.mark.parametrize("q", [
    {"area_code": "370100"}, {"area_code": "370102"}, {"area_code": "370102001"},
    {"area_code": "370114"}, {"area_code": "370100", "by": "area"},
    {"area_code": "370102", "by": "area"}, {"area_code": "370102001", "by": "area"},
    {"area_code": "370100", "by": "day"}, {"area_code": "370102", "by": "total"},
    {"area_code": "370100", "period": "year", "date": date(2026, 6, 1)},
    {"area_code": "370102", "period": "range", "start": date(2026, 10, 20),
     "end": date(2026, 12, 31), "by": "area"},
])
def test_figures_from_the_area_counters_equal_the_full_counters(month, monkeypatch, today, q):
    with month.transaction() as tx:
        assert figures._tables({**NOVEMBER, **q}) == figures.AREA_TABLES
        rolled_up = figures.figures(tx, {**NOVEMBER, **q}, today)
        monkeypatch.setattr(figures, "_tables", lambda _: figures.FULL_TABLES)
        full = figures.figures(tx, {**NOVEMBER, **q}, today)
    assert rolled_up == full
    assert sum(row["received"] for row in rolled_up) > 0  # not two empty answers


@pytest.mark.parametrize("q", [
    {"unit_code": A}, {"area_code": "370100", "category": "housing"},
    {"area_code": "370100", "channel": "online"}, {"area_code": "370100", "by": "unit"},
    {"area_code": "370100", "by": "category"}, {"by": "area"}, {},
])
def test_a_figure_naming_a_unit_category_or_channel_reads_the_full_counters(q):
    assert figures._tables({**NOVEMBER, **q}) == figures.FULL_TABLES


def test_a_fact_s_own_names_are_no_case_fact_column():
    # projections.Fact holds the row's columns as attributes beside its own
    # names: a column named like one of them would be silently lost at save.
    own = {name for name in vars(projections.Fact) if not name.startswith("__")} | {"stored"}
    assert not own & set(CaseFact.__table__.columns.keys())
