"""Personal-data retention, tracking's part (core/retention.py): tracking knows
when a case is final, so it announces each case whose retention period has
passed, once per period, and erases its own entries in the same transaction.

A case is final when it was rejected at routing, declined by its unit, or
closed for good (终结: no review asked in time, or re-reviewed); ``final_at`` is
the time of that step on its timeline. ``deploy.housekeeping`` runs
``announce`` nightly; two runs at once announce a case once: the alert row
(case, ``personal_data``, period, final day, ``erase``) is unique, as the
sweep's alerts are.
"""
import logging
from datetime import timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from core import events, retention
from core.calendar import local_date
from services.tracking.models import Alert, Case, Erasure, TimelineEntry

log = logging.getLogger(__name__)

ALERT_KIND, ALERT = "personal_data", "erase"
# The steps that make a case final, and the states they leave it in.
FINAL_STEPS = ("reject", "decline", "finalize", "answer_rereview")
FINAL_STATUSES = ("rejected", "declined")
# Timeline entries whose staff detail holds the petitioner's own words.
PETITIONER_WORDS = ("request_review", "request_rereview", "return_visit")
ERASED_NOTE = "（信访人的陈述已按个人信息保存期限删除）"


def _timeline(tx, case_number, fields):
    return retention.empty(tx.session, TimelineEntry,
                              (TimelineEntry.case_number == case_number)
                              & TimelineEntry.kind.in_(PETITIONER_WORDS), fields, ERASED_NOTE)


ERASERS = {"timeline": _timeline}
retention.check_erasers("tracking", ERASERS)


def due(session, period, now, environ):
    """(case number, final_at) of the final cases past ``period`` not yet announced."""
    cutoff = now - timedelta(days=retention.days(period, environ))
    final_at = func.max(TimelineEntry.at)
    announced = exists().where(Alert.case_number == Case.case_number,
                               Alert.kind == ALERT_KIND, Alert.subject == period)
    return session.execute(
        select(Case.case_number, final_at)
        .join(TimelineEntry, TimelineEntry.case_number == Case.case_number)
        .where(TimelineEntry.kind.in_(FINAL_STEPS),
               or_(Case.status.in_(FINAL_STATUSES), Case.review_state == "final"), ~announced)
        .group_by(Case.case_number).having(final_at <= cutoff)
        .order_by(Case.case_number)).all()


def announce(store, now, replica, environ, dry_run=False):
    """Announce (or with ``dry_run`` only count) what is due; returns
    {period: cases} and, dry, {period: {field: values}} of tracking's own."""
    announced, fields = {}, {}
    for period in retention.announced_periods():
        with store.transaction() as tx:
            cases = due(tx.session, period, now, environ)
        announced[period] = 0
        for case_number, final_at in cases:
            if dry_run:
                with retention.rolled_back(store.sessions) as tx:
                    counts = announce_case(tx, case_number, period, final_at, now, replica)
                for field, n in (counts or {}).items():
                    fields.setdefault(period, {}).setdefault(field, 0)
                    fields[period][field] += n
                announced[period] += 1
                continue
            try:
                with store.transaction() as tx:
                    announced[period] += announce_case(tx, case_number, period, final_at, now,
                                                       replica) is not None
            except IntegrityError:
                log.info("%s: another run announced its %s erasure first", case_number, period)
    return announced, fields


def announce_case(tx, case_number, period, final_at, now, replica):
    """Erase tracking's entries and tell every store; None if already done."""
    tx.session.add(Alert(case_number=case_number, kind=ALERT_KIND, subject=period,
                         due=local_date(final_at), alert=ALERT, raised_at=now,
                         raised_by=replica))
    tx.session.flush()  # the unique key decides here, before any effect
    counts = retention.erase(tx, "tracking", Erasure, ERASERS, case_number, period, final_at, now)
    case = tx.session.get(Case, case_number)
    tx.emit(events.PERSONAL_DATA_EXPIRED, case_number=case_number, area_code=case.area_code,
            unit_code=case.unit_code, period=period, final_at=final_at)
    return counts
