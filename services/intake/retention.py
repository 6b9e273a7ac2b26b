"""Personal-data retention, intake's part (core/retention.py): the petitioner's
identity, contact, words, messages (留言), consent record and files of a case, once tracking
says its period has passed. The files go from the blob store before the rows
(in the same transaction): a crash between the two leaves rows whose files are
gone, and the retried erasure deletes them; never a file nobody can find.

And intake's own: the phone codes (短信验证码), a day of expiry (UTC) at a
time, the day (``2026-11-25``) being the erasure's key: due once every code
of the day expired more than the period ago (no code of a past day can be
asked for any more, so the day is complete)."""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import delete, func, select

from core import retention
from services.intake.models import Attachment, Erasure, Message, Petition, PhoneCode, ProxyConsent


def erasers(blobs):
    """The erase functions of intake's tables; ``blobs`` None: count the files
    only (a dry run)."""
    def petitions(tx, case_number, fields):
        return retention.empty(tx.session, Petition, Petition.case_number == case_number, fields)

    def proxy_consents(tx, case_number, fields):
        return retention.empty(tx.session, ProxyConsent,
                               ProxyConsent.petition_id.in_(_petition_id(case_number)), fields)

    def messages(tx, case_number, fields):
        return retention.empty(tx.session, Message,
                               Message.petition_id.in_(_petition_id(case_number)), fields)

    def attachments(tx, case_number, fields):
        rows = tx.session.execute(select(Attachment.id, Attachment.blob_key).where(
            Attachment.petition_id.in_(_petition_id(case_number)))).all()
        if blobs is not None:
            for _, blob_key in rows:
                blobs.delete(blob_key)
        tx.session.execute(delete(Attachment).where(Attachment.id.in_([r.id for r in rows])))
        return {field: len(rows) for field in fields}

    found = {"petitions": petitions, "proxy_consents": proxy_consents, "messages": messages,
             "attachments": attachments, "phone_codes": _phone_codes}
    retention.check_erasers("intake", found)
    return found


def _phone_codes(tx, day, fields):
    start = _day_start(date.fromisoformat(day))
    deleted = tx.session.execute(delete(PhoneCode).where(
        PhoneCode.expires_at >= start, PhoneCode.expires_at < start + timedelta(days=1))
        .execution_options(synchronize_session=False)).rowcount
    return {field: deleted for field in fields}


def due(session, period, now, environ):
    """(day, its end) of the days whose codes all expired more than ``period`` ago
    and are still kept, oldest first (only days that have codes)."""
    cutoff = now - timedelta(days=retention.days(period, environ))
    # a day is due once its end is past the cutoff: codes expiring before this
    before = PhoneCode.expires_at < _day_start(cutoff.astimezone(timezone.utc).date())
    days = []
    while True:
        first = session.scalar(select(func.min(PhoneCode.expires_at)).where(
            before, *(PhoneCode.expires_at >= end for _, end in days[-1:])))
        if first is None:
            return days
        day = first.astimezone(timezone.utc).date()
        days.append((day.isoformat(), _day_start(day + timedelta(days=1))))


def _day_start(day):
    return datetime.combine(day, time(), timezone.utc)


def _petition_id(case_number):
    return select(Petition.id).where(Petition.case_number == case_number)


def erase(tx, blobs, event):
    return retention.erase(tx, "intake", Erasure, erasers(blobs), event["case_number"],
                           event["period"], event["final_at"])
