"""Personal-data retention, tracking's part (services/tracking/retention.py):
which cases are final and since when, each announced once per period however
many runs at once, the petitioner's own words erased from the timeline, and a
dry run that changes nothing."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core import events
from core.store import OutboxMessage
from services.tracking import cases
from services.tracking.models import Erasure, TimelineEntry
from services.tracking.retention import ERASED_NOTE, announce
from tests.unit.tracking.conftest import ACTORS, directory, emitted, received
from tests.unit.tracking.test_tracking_workflows import route, step

FINAL, DECLINED, OPEN, REJECTED = ("JN20261125-000001", "JN20261125-000002",
                                   "JN20261125-000003", "JN20261125-000004")
REASON = "我是张三，电话13812345678，答复没有解决"
DAYS = {"PERSONAL_DATA_RETENTION_DAYS": "1000", "MESSAGE_RETENTION_DAYS": "100"}


def petitioner(store, clocks, case_number, action, reason):
    with store.transaction() as tx:
        cases.petitioner_act(tx, case_number, action, {"reason": reason}, clocks, directory)


def four_cases(store, clocks):
    """Final by re-review, declined, still open, rejected at routing."""
    for case_number in (FINAL, DECLINED, OPEN):
        route(store, clocks, case_number=case_number)
    step(store, clocks, ACTORS["handler"], "accept", case_number=FINAL)
    step(store, clocks, ACTORS["handler"], "reply", {"reply": "已答复"}, case_number=FINAL)
    petitioner(store, clocks, FINAL, "request_review", REASON)
    step(store, clocks, {"username": "shi", "unit_code": "370100-housing",
                         "unit_name": "济南市住建局", "role": "handler", "area_code": "370100"},
         "answer_review", {"opinion": "维持"}, case_number=FINAL)
    petitioner(store, clocks, FINAL, "request_rereview", REASON)
    step(store, clocks, ACTORS["city_bureau"], "answer_rereview", {"opinion": "维持"},
         case_number=FINAL)
    step(store, clocks, ACTORS["handler"], "decline", {"reason": "不属于本单位职责"},
         case_number=DECLINED)
    with store.transaction() as tx:
        cases.apply_rejection(tx, received(events.PETITION_REJECTED, case_number=REJECTED,
                                           reason="属于诉讼事项", channel="人民法院",
                                           occurred_at=clocks.now()), clocks)


def expired(store):
    return sorted((p["case_number"], p["period"]) for p in emitted(store)
                  if p["event_type"] == "personal_data_expired")


def details(store, case_number):
    with store.transaction() as tx:
        return [e.detail for e in tx.session.scalars(
            select(TimelineEntry).where(TimelineEntry.case_number == case_number,
                                        TimelineEntry.kind.like("request_%")))]


def test_final_cases_are_announced_once_per_period_after_it(store, clocks):
    four_cases(store, clocks)
    final_at = clocks.now()
    assert announce(store, final_at + timedelta(days=99), "r1", DAYS) == (
        {"case_file": 0, "messages": 0}, {})
    assert expired(store) == []

    assert announce(store, final_at + timedelta(days=101), "r1", DAYS)[0] == {
        "case_file": 0, "messages": 3}
    assert expired(store) == [(FINAL, "messages"), (DECLINED, "messages"),
                              (REJECTED, "messages")]
    assert details(store, FINAL) == [f"复查理由：{REASON}", f"复核理由：{REASON}"]  # not yet

    # Two runs at once (two CronJob pods, or a rerun): each case once.
    later = final_at + timedelta(days=1001)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda r: announce(store, later, r, DAYS)[0], ("r1", "r2")))
    assert sum(r["case_file"] for r in runs) == 3 and sum(r["messages"] for r in runs) == 0
    assert announce(store, later, "r3", DAYS)[0] == {"case_file": 0, "messages": 0}
    assert expired(store) == sorted([(c, p) for c in (FINAL, DECLINED, REJECTED)
                                     for p in ("case_file", "messages")])
    assert {datetime.fromisoformat(p["final_at"]) for p in emitted(store)
            if p["event_type"] == "personal_data_expired"} == {final_at}

    # tracking's own part: the petitioner's words, and its audit (counts only)
    assert details(store, FINAL) == [ERASED_NOTE, ERASED_NOTE]
    assert details(store, OPEN) == []
    with store.transaction() as tx:
        audit = {(e.case_number, e.period): e.counts for e in tx.session.scalars(select(Erasure))}
    assert audit[(FINAL, "case_file")] == {"timeline.detail": 2}
    assert audit[(DECLINED, "case_file")] == {"timeline.detail": 0}
    assert all(REASON not in str(counts) for counts in audit.values())


def test_a_dry_run_counts_and_changes_nothing(store, clocks):
    four_cases(store, clocks)
    before = emitted(store)
    announced, fields = announce(store, clocks.now() + timedelta(days=1001), "dry", DAYS,
                                 dry_run=True)
    assert announced == {"case_file": 3, "messages": 3}
    assert fields["case_file"] == {"timeline.detail": 2}
    assert emitted(store) == before
    assert details(store, FINAL) == [f"复查理由：{REASON}", f"复核理由：{REASON}"]
    with store.transaction() as tx:
        assert tx.session.scalar(select(func.count()).select_from(Erasure)) == 0
        assert tx.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(before)


def test_housekeeping_runs_it_and_its_dry_run_counts_in_the_other_stores(
        store, clocks, tmp_path, monkeypatch, capsys):
    """``python -m deploy.housekeeping [--dry-run] tracking rating`` on real stores."""
    from nameko.testing.services import worker_factory

    from deploy import housekeeping
    from services.rating.models import Base as RatingBase
    from services.rating.service import RatingService
    from tests.kit import sqlite_store
    four_cases(store, clocks)
    monkeypatch.setenv("TRACKING_DB_URL", str(store.sessions.kw["bind"].url))
    rating_url = f"sqlite:///{tmp_path}/rating.db"
    monkeypatch.setenv("RATING_DB_URL", rating_url)
    with sqlite_store(rating_url, RatingBase) as rating_store:
        rating = worker_factory(RatingService, store=rating_store)
        rating.on_case_replied(received(events.CASE_REPLIED, case_number=FINAL, replied_by="li"))
        rating.submit(FINAL, {"service_attitude": "satisfied", "work_efficiency": "satisfied",
                              "handling_quality": "satisfied", "comment": REASON})
    days = {"PERSONAL_DATA_RETENTION_DAYS": "0", "MESSAGE_RETENTION_DAYS": "0"}

    housekeeping.main(["--dry-run", "tracking", "rating"], environ=days)
    out = capsys.readouterr().out
    assert "tracking: 3 cases final for more than 0 days would be announced for erasure " \
           "(case_file); timeline.detail 2" in out
    assert "rating: erasing the cases tracking would announce would empty; " \
           "ratings.comment 1" in out
    assert expired(store) == [] and details(store, FINAL)[0].endswith(REASON)

    housekeeping.main(["tracking"], environ=days)
    assert "tracking: 3 cases final for more than 0 days announced" in capsys.readouterr().out
    assert len(expired(store)) == 6 and details(store, FINAL) == [ERASED_NOTE, ERASED_NOTE]
