"""Personal-data retention, reports' part (core/retention.py): the pseudonym
that links one person's petitions (``petitioner_key``, for repeat petitions),
in the case's facts and in its archived ``petition_submitted``. Every counter,
and the case's repeat flag, stay as they are. A rebuild after an erasure
replays the archive without the key: the erased case is then linked to no
other, so a later petition of the same person that counted as a repeat only
because of it would count as a first petition (README, Retention)."""
from sqlalchemy import select

from core import events, retention
from services.reports.models import ArchivedEvent, CaseFact, Erasure


def _facts(tx, case_number, fields):
    return retention.empty(tx.session, CaseFact, CaseFact.case_number == case_number, fields)


def _archive(tx, case_number, fields):
    counts = dict.fromkeys(fields, 0)
    for row in tx.session.scalars(select(ArchivedEvent).where(
            ArchivedEvent.case_number == case_number,
            ArchivedEvent.event_type == events.PETITION_SUBMITTED.event_type)):
        held = [f for f in fields if row.payload.get(f) is not None]
        if held:
            row.payload = {**row.payload, **dict.fromkeys(held)}
            for field in held:
                counts[field] += 1
    return counts


ERASERS = {"case_facts": _facts, "archived_events": _archive}
retention.check_erasers("reports", ERASERS)


def erase(tx, event):
    return retention.erase(tx, "reports", Erasure, ERASERS, event["case_number"],
                           event["period"], event["final_at"])
