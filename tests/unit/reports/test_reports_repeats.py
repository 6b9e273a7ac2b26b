"""Repeat petitions (重复信访) when a case is submitted again: the submission
(a new event id) moves the case in its petitioner's order on the matter, and
``projections._mark_repeats`` re-reads that whole order and marks it again.
Whatever order the submissions arrive in, the marks and the counters end as a
fresh projection of each case's last submission gives them, and as a rebuild
of the archive gives them."""
import pytest
from sqlalchemy import select

from core import events
from services.reports import figures, projections
from services.reports.models import CaseFact
from services.reports.settings import Settings
from tests.reports_month import AS_OF, NOVEMBER, at, feed, pseudonym

WINDOW = Settings.from_config({"REPEAT_WINDOW_DAYS": 3})
# One petitioner on one matter, case n on day DAYS[n] (10:00); the second of
# the order is a repeat, so a pass that skips the order's first row shows.
DAYS = [1, 2, 9, 10, 10, 20, 22]
MARKS = [False, True, False, True, True, False, True]


def number(n):
    return f"JN20261101-{n:06d}"


def by_number(flags):
    """{case number: mark} of cases 0, 1, ... marked ``flags``."""
    return {number(n): mark for n, mark in enumerate(flags)}


def submitted(n, when, petitioner=1):
    """Case n's petition_submitted, as a handler receives it (a new event id)."""
    contract = events.PETITION_SUBMITTED
    return contract, contract.load(contract.build(
        case_number=number(n), area_code="370102", unit_code=None, category="housing",
        title="小区供暖温度不达标", submitted_at=when, channel="online",
        petitioner_key=pseudonym(petitioner), publish=True))


FIRST = [submitted(n, at(11, day)) for n, day in enumerate(DAYS)]


def marks(store):
    with store.transaction() as tx:
        return dict(tx.session.execute(select(CaseFact.case_number, CaseFact.repeat)).all())


def counter_rows(store):
    """Every counter table's rows (a count at zero is deleted, so none stay)."""
    with store.transaction() as tx:
        return [sorted(tx.session.execute(select(model.__table__)).all())
                for model, _ in projections.COUNTER_TABLES]


def repeats(store):
    with store.transaction() as tx:
        [row] = figures.figures(tx, NOVEMBER, AS_OF)
    return row["repeats"]


def fresh(store_factory, stream):
    """A store fed only each case's last submission in ``stream`` (the first
    path alone, tested by test_reports_figures): what the marks must be."""
    last = {}
    for contract, event in stream:
        last[event["case_number"]] = (contract, event)
    store = store_factory()
    feed(store, WINDOW, sorted(last.values(), key=lambda pair: pair[1]["submitted_at"]))
    return store


def assert_as_fresh_and_rebuilt(store, store_factory, stream, expected):
    """The marks are ``expected``, and the counters and figures are a fresh
    projection's; a rebuild of the archive (which replays the submissions
    again, resubmissions included) changes nothing."""
    oracle = fresh(store_factory, stream)
    assert marks(oracle) == expected  # the oracle agrees with the hand count
    assert marks(store) == expected
    assert counter_rows(store) == counter_rows(oracle)
    assert repeats(store) == sum(expected.values())
    with store.transaction() as tx:
        assert projections.rebuild(tx, WINDOW) == len(stream)
    assert marks(store) == expected
    assert counter_rows(store) == counter_rows(oracle)


def test_a_case_submitted_again_later_remarks_its_old_successor_and_itself(store_factory):
    """Case 2 (day 9) submitted again on day 21: case 3 (day 10) loses its
    predecessor within the window (case 1, day 2, is 8 days before) and is no
    repeat any more; case 2 follows case 5 (day 20) and is one; case 6 (day
    22) now follows case 2 and stays one."""
    store = store_factory()
    feed(store, WINDOW, FIRST)
    assert marks(store) == by_number(MARKS)
    again = [submitted(2, at(11, 21))]
    feed(store, WINDOW, again)
    expected = by_number([False, True, True, False, True, False, True])
    assert_as_fresh_and_rebuilt(store, store_factory, FIRST + again, expected)
    assert repeats(store) == 4


def test_a_case_submitted_again_earlier_becomes_the_first_of_the_order(store_factory):
    """Case 5 (day 20) submitted again on day 1 at 08:00, before case 0: it
    is the order's first and no repeat; case 0 (day 1, 10:00) now follows it
    and is one; case 6 (day 22) follows case 4 (day 10) and is none."""
    store = store_factory()
    feed(store, WINDOW, FIRST)
    again = [submitted(5, at(11, 1, hour=8))]
    feed(store, WINDOW, again)
    expected = by_number([True, True, False, True, True, False, False])
    assert_as_fresh_and_rebuilt(store, store_factory, FIRST + again, expected)


def test_the_window_is_inclusive_when_a_case_is_submitted_again(store_factory):
    """Case 0 submitted again exactly the window (3 days) after case 4's
    10:00 on day 10: a repeat; an hour later it would not be."""
    store = store_factory()
    feed(store, WINDOW, FIRST)
    again = [submitted(0, at(11, 13))]
    feed(store, WINDOW, again)
    assert marks(store)[number(0)] is True
    assert marks(store)[number(1)] is False  # its old successor, now the first
    later = [submitted(0, at(11, 13, hour=11))]
    feed(store, WINDOW, later)
    expected = by_number([False, False, False, True, True, False, True])
    assert_as_fresh_and_rebuilt(store, store_factory, FIRST + again + later, expected)


# Submissions again interleaved with the first ones, in and out of order: a
# case's last submission to arrive is its submission (a rebuild replays them
# in the order they arrived, so it agrees). All three taking effect give the
# order 5 (day 1, 08:00), 0, 1, 6 (day 3), 3, 4, 2 (day 21); with 2's and 5's
# first submissions arriving last, 0, 1, 6, 2 (day 9), 3, 4, 5.
AGAIN = {2: at(11, 21), 5: at(11, 1, hour=8), 6: at(11, 3)}
ALL_AGAIN = [True, True, False, False, True, False, True]
ONLY_6_AGAIN = [False, True, False, True, True, False, True]


@pytest.mark.parametrize("order, expected", [
    # every first submission, then the submissions again
    ([*range(7), "2", "5", "6"], ALL_AGAIN),
    # out of order: a case submitted again before its neighbours' first ones
    ([6, "6", 5, "5", 4, 3, 2, "2", 1, 0], ALL_AGAIN),
    ([3, "2", 0, 6, 2, "5", 1, 5, 4, "6"], ONLY_6_AGAIN),
    # a case's submission again arriving before its first one
    (["2", 0, 1, 2, 3, "5", 4, 5, 6, "6"], ONLY_6_AGAIN),
], ids=["after", "reversed", "shuffled", "stale-last"])
def test_submissions_again_in_any_order_end_as_a_fresh_projection_of_the_last(
        store_factory, order, expected):
    stream = [FIRST[step] if isinstance(step, int)
              else submitted(int(step), AGAIN[int(step)]) for step in order]
    store = store_factory()
    feed(store, WINDOW, stream)
    assert_as_fresh_and_rebuilt(store, store_factory, stream,
                                by_number(expected))


def test_a_case_submitted_again_leaves_another_petitioners_order_alone(store_factory):
    """Only the petitioner's order on that matter is marked again: another
    petitioner's cases on the same matter keep their marks and counts."""
    other = [submitted(10 + n, at(11, day), petitioner=2) for n, day in enumerate((3, 4, 12))]
    store = store_factory()
    feed(store, WINDOW, FIRST + other)
    again = [submitted(2, at(11, 21))]
    feed(store, WINDOW, again)
    expected = by_number([False, True, True, False, True, False, True])
    expected.update({number(10): False, number(11): True, number(12): False})
    assert_as_fresh_and_rebuilt(store, store_factory, FIRST + other + again, expected)
