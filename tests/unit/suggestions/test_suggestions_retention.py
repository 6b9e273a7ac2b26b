"""Personal-data retention, the suggestions service's part
(services/suggestions/retention.py, run by deploy.housekeeping): a proposal
final for longer than the period loses its proposer's identity, contact and
query code, once however many runs at once; a proposal still in hand, or
adopted and waiting to be published, keeps them; the proposal, its answer and
steps stay; notify is told once per period of each final proposal (its texts
to the proposer follow the petitioner's rule); a dry run changes nothing."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import events
from core.errors import NotFound
from core.store import utcnow
from deploy import housekeeping
from services.suggestions.models import Erasure, Proposal
from tests.unit.suggestions.conftest import BUREAU, DEPARTMENT, PERSON

DAYS = {"PERSONAL_DATA_RETENTION_DAYS": "1000"}


def proposals(world):
    """Declined (final), published (final), adopted with publication refused
    (final), adopted and waiting to be published, accepted: their receipts."""
    receipts = {name: world.propose(publish=name != "private")
                for name in ("declined", "published", "private", "adopted", "accepted")}
    world.act(BUREAU, receipts["declined"]["number"], "decline", reason="不属于征集范围")
    for name in ("published", "private", "adopted", "accepted"):
        world.act(BUREAU, receipts[name]["number"], "accept")
    for name in ("published", "private", "adopted"):
        number = receipts[name]["number"]
        world.act(BUREAU, number, "forward", department="370100-ZJJ")
        world.act(DEPARTMENT, number, "adopt", answer="采纳，明年增设。", follow_up="落实")
    world.act(BUREAU, receipts["published"]["number"], "publish")
    return receipts


def erase(world, now, dry_run=False):
    return housekeeping.erase_own("suggestions", world.store.sessions, now, DAYS, dry_run)


def test_final_proposals_lose_the_proposer_once_after_the_period(world):
    receipts = proposals(world)
    final = {receipts[n]["number"] for n in ("declined", "published", "private")}
    now = utcnow()
    # past the messages period (180 days) only: nothing of the store's own
    assert erase(world, now + timedelta(days=999)) == ({"case_file": 0, "messages": 3}, {})

    # Two runs at once (two CronJob pods, or a rerun): each proposal once.
    later = now + timedelta(days=1001)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: erase(world, later), range(2)))
    assert sum(erased["case_file"] for erased, _ in runs) == 3
    assert erase(world, later) == ({"case_file": 0, "messages": 0}, {})

    with world.store.transaction() as tx:
        rows = {p.number: p for p in tx.session.scalars(select(Proposal))}
        erasures = tx.session.scalars(select(Erasure)).all()
    audit = {e.case_number: e.counts for e in erasures if e.period == "case_file"}
    assert set(audit) == final
    assert {e.case_number: e.counts for e in erasures if e.period == "messages"} == \
        dict.fromkeys(final, {})
    assert all(counts == {f"proposals.{f}": 1 for f in ("name_encrypted",
               "id_number_encrypted", "phone_encrypted", "query_code_hash")}
               for counts in audit.values())
    for number in final:
        row = rows[number]
        assert (row.name_encrypted, row.id_number_encrypted, row.phone_encrypted,
                row.query_code_hash) == ("", "", "", None)
        assert row.content and row.title  # the proposal itself stays
    for name in ("adopted", "accepted"):
        assert rows[receipts[name]["number"]].phone_encrypted != ""
        assert world.service.follow(receipts[name]["query_code"])["proposer"]["name"] == "王**"

    # the query code no longer opens it; staff still see it, without a proposer
    with pytest.raises(NotFound):
        world.service.follow(receipts["declined"]["query_code"])
    seen = world.staff.get_proposal(receipts["published"]["number"], world.token(BUREAU))
    assert seen["proposer"] is None and seen["answer"] == "采纳，明年增设。"
    [shown] = world.service.published()
    assert shown["number"] == receipts["published"]["number"]
    assert PERSON["name"] not in str(audit)


def test_a_dry_run_counts_and_changes_nothing(world):
    receipts = proposals(world)
    erased, fields = erase(world, utcnow() + timedelta(days=1001), dry_run=True)
    assert erased == {"case_file": 3, "messages": 3}
    assert world.sent(world.store, events.PROPOSER_DATA_EXPIRED) == []
    assert fields["case_file"]["proposals.query_code_hash"] == 3
    with world.store.transaction() as tx:
        assert tx.session.scalar(select(func.count()).select_from(Erasure)) == 0
    assert world.service.follow(receipts["declined"]["query_code"])["status"] == "not_adopted"


def test_housekeeping_runs_it(world, monkeypatch, capsys):
    """``python -m deploy.housekeeping [--dry-run] suggestions`` on the store."""
    proposals(world)
    monkeypatch.setenv("SUGGESTIONS_DB_URL", str(world.store.sessions.kw["bind"].url))
    days = {"PERSONAL_DATA_RETENTION_DAYS": "0"}
    housekeeping.main(["--dry-run", "suggestions"], environ=days)
    assert "suggestions: personal data of 3 due after 0 days (case_file) would be erased; " \
           "proposals.id_number_encrypted 3" in capsys.readouterr().out
    housekeeping.main(["suggestions"], environ=days)
    assert "suggestions: personal data of 3 due after 0 days (case_file) erased" \
        in capsys.readouterr().out
    with world.store.transaction() as tx:
        assert tx.session.scalar(select(func.count()).select_from(Erasure)) == 3


def test_notify_is_told_once_per_period_of_each_final_proposal(world):
    """notify keeps the texts to a proposer under the proposal's number: it
    erases them on proposer_data_expired, as a petitioner's on
    personal_data_expired (tests/unit/notify/test_notify_retention.py)."""
    receipts = proposals(world)
    final = {receipts[n]["number"] for n in ("declined", "published", "private")}
    now = utcnow()

    def told():
        return sorted((e["number"], e["period"]) for e in world.sent(
            world.store, events.PROPOSER_DATA_EXPIRED))

    erase(world, now + timedelta(days=179))
    assert told() == []
    erase(world, now + timedelta(days=181))
    assert told() == sorted((n, "messages") for n in final)
    for _ in range(2):  # and once only, however often it runs
        erase(world, now + timedelta(days=1001))
    assert told() == sorted([(n, "messages") for n in final] + [(n, "case_file") for n in final])
    (first, *_) = world.sent(world.store, events.PROPOSER_DATA_EXPIRED)
    assert set(first) >= {"number", "period", "final_at"} and "sealed" not in first
