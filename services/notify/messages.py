"""Which messages a case's petitioner gets, written in the transaction of the
event that calls for them (status pending); ``sending`` delivers them."""
import uuid

from sqlalchemy import func, select

from core.privacy import mask_phone
from core.store import utcnow
from services.notify.models import Message, Recipient
from services.notify.schemas import MessageSchema
from services.notify.templates import QUERY_CODE, render


class RecipientUnknown(Exception):
    """A status event came before the petitioner's contact (the queues are
    independent): raising makes core.handlers deliver it again later."""


def record_contact(tx, cipher, event):
    """Keep the petitioner's phone for the case, and queue the one message
    that carries the query code, to that phone only."""
    phone = event["phone"]
    if tx.session.get(Recipient, event["case_number"]) is None:
        tx.session.add(Recipient(case_number=event["case_number"],
                                 phone_encrypted=cipher.encrypt(phone),
                                 phone_masked=mask_phone(phone)))
    _queue(tx, cipher, event, QUERY_CODE, cipher.encrypt(phone), mask_phone(phone))


def queue_status(tx, cipher, event):
    """Tell the petitioner what the event means for their case; the event
    type names the template."""
    recipient = tx.session.get(Recipient, event["case_number"])
    if recipient is None:
        raise RecipientUnknown(f"no recipient yet for {event['case_number']}")
    _queue(tx, cipher, event, event["event_type"], recipient.phone_encrypted,
           recipient.phone_masked)


def _queue(tx, cipher, event, template, to_encrypted, to_masked):
    event_id = str(event["event_id"])
    # The unique key would refuse a duplicate too; checking first keeps a
    # redelivery a quiet no-op even without the inbox.
    if tx.session.scalar(select(Message.id).where(Message.event_id == event_id,
                                                  Message.template == template)):
        return
    tx.session.add(Message(
        id=str(uuid.uuid4()), case_number=event["case_number"], area_code=event["area_code"],
        unit_code=event["unit_code"], event_id=event_id, template=template, channel="sms",
        to_encrypted=to_encrypted, to_masked=to_masked,
        body_encrypted=cipher.encrypt(render(template, event)),
        next_attempt_at=utcnow(),
    ))


def for_case(tx, case_number):
    rows = tx.session.scalars(select(Message).where(Message.case_number == case_number)
                              .order_by(Message.created_at, Message.id))
    return MessageSchema(many=True).dump(rows)


def status_counts(tx):
    rows = tx.session.execute(select(Message.status, func.count()).group_by(Message.status))
    return {status: n for status, n in rows}


def query_code_sms_count(tx, case_number):
    """How many query-code messages were ever queued for the case, whatever
    their delivery status: the platform promises exactly one."""
    return tx.session.scalar(select(func.count()).select_from(Message).where(
        Message.case_number == case_number, Message.template == QUERY_CODE))
