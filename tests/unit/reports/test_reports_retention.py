"""Personal-data retention, reports' part (services/reports/retention.py): the
pseudonym linking a person's petitions leaves the case's facts and its
archived submission; every figure stays what it was, and a rebuild of the
archive gives the same figures when the erased cases link to no other."""
from nameko.testing.services import worker_factory
from sqlalchemy import select

from services.reports import projections
from services.reports.models import ArchivedEvent, CaseFact, DailyCount, Erasure
from services.reports.service import ReportsService
from tests.kit import personal_data_expired
from tests.reports_month import case_number, loaded_events
from tests.unit.reports.test_reports_figures import query

BREAKDOWNS = (None, "unit", "area", "category", "channel", "day")
# 1: P1's first housing petition (case 3 repeats it); 5: P4, alone; 8: P7, rejected
FIRST, ALONE, REJECTED = case_number(1), case_number(5), case_number(8)


def figures(store):
    return [query(store, by=by) for by in BREAKDOWNS]


def keys(store, number):
    with store.transaction() as tx:
        fact = tx.session.get(CaseFact, number)
        archived = [e.payload.get("petitioner_key") for e in tx.session.scalars(
            select(ArchivedEvent).where(ArchivedEvent.case_number == number,
                                        ArchivedEvent.event_type == "petition_submitted"))]
        return fact.petitioner_key, archived


def test_the_pseudonym_goes_the_figures_stay(month, settings):
    service = worker_factory(ReportsService, store=month, settings=settings)
    before = figures(month)
    assert before[0][0]["repeats"] == 1
    with month.transaction() as tx:
        counters = sorted(tx.session.execute(select(DailyCount.__table__)).all())
    assert keys(month, FIRST)[0] is not None and keys(month, FIRST)[1] != [None]

    for number in (FIRST, ALONE, REJECTED):
        service.on_personal_data_expired(personal_data_expired(number))

    for number in (FIRST, ALONE, REJECTED):
        assert keys(month, number) == (None, [None])
    assert keys(month, case_number(3))[0] is not None  # another case keeps its own
    assert figures(month) == before  # repeats included: case 3's flag stays
    with month.transaction() as tx:
        assert sorted(tx.session.execute(select(DailyCount.__table__)).all()) == counters
        audit = {e.case_number: e.counts for e in tx.session.scalars(select(Erasure))}
    assert audit[FIRST] == {"case_facts.petitioner_key": 1, "archived_events.petitioner_key": 1}

    # announced twice: nothing more
    service.on_personal_data_expired(personal_data_expired(FIRST))
    with month.transaction() as tx:
        assert len(tx.session.scalars(select(Erasure)).all()) == 3


def test_a_rebuild_after_erasing_unlinked_cases_gives_the_same_figures(month, settings):
    service = worker_factory(ReportsService, store=month, settings=settings)
    before = figures(month)
    for number in (ALONE, REJECTED):
        service.on_personal_data_expired(personal_data_expired(number))
    with month.transaction() as tx:
        assert projections.rebuild(tx, settings) == len(loaded_events())
    assert figures(month) == before
    assert keys(month, ALONE) == (None, [None])
