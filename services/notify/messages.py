"""Which messages a case's petitioner (by SMS) and its unit (by email) get,
written in the transaction of the event that calls for them (status pending);
``sending`` delivers them. Units' mailboxes are kept here (``UnitContact``)."""
import logging
import uuid

from sqlalchemy import bindparam, func, insert, select

from core import events
from core.errors import Forbidden
from core.privacy import mask_phone
from core.retention import ERASED
from core.roles import BUREAU_ADMIN, UNIT_LEADER
from core.store import utcnow
from core.validation import load
from services.notify.models import EMAIL, SMS, Message, Recipient, UnitContact
from services.notify.providers import mask_email
from services.notify.schemas import MessageSchema, UnitContactInput, UnitContactSchema
from services.notify.templates import (
    MESSAGE_ANSWERED,
    PHONE_CODE,
    PROPOSER_TEXT,
    QUERY_CODE,
    STAFF,
    STAFF_TEMPLATES,
    render,
)

log = logging.getLogger(__name__)


# The reads every handled event makes, as Core statements built once: built
# per call, as ORM queries and loads, they were a fifth of notify's CPU in
# the pipeline (py-spy, python -m bench.ab ... --profile notify; README,
# Performance, fifth round). Each handler's transaction writes one event's
# rows, so no row it reads here is still waiting for a flush.
_RECIPIENTS, _MESSAGES, _CONTACTS = (Recipient.__table__, Message.__table__,
                                     UnitContact.__table__)
RECIPIENT = select(_RECIPIENTS.c.phone_encrypted, _RECIPIENTS.c.phone_masked).where(
    _RECIPIENTS.c.case_number == bindparam("case_number"))
QUEUED = select(_MESSAGES.c.id).where(_MESSAGES.c.event_id == bindparam("event_id"),
                                      _MESSAGES.c.template == bindparam("template"))
MAILBOX = select(_CONTACTS.c.email).where(_CONTACTS.c.unit_code == bindparam("unit_code"))
# And the rows they write, Core INSERTs built once, run at once in the event's
# transaction: flushed as ORM objects by the unit of work at the commit they
# were a fifth of notify's handlers' CPU (README, Performance, intake round).
# The columns' defaults (status pending, no attempts, created now) still apply.
_NEW_RECIPIENT = insert(_RECIPIENTS)
_NEW_MESSAGE = insert(_MESSAGES)


class RecipientUnknown(Exception):
    """A status event came before the petitioner's contact (the queues are
    independent): raising makes core.handlers deliver it again later."""


def record_contact(tx, cipher, event):
    """Keep the petitioner's phone for the case, and queue the one message
    that carries the query code, to that phone only."""
    phone = event["phone"]
    if tx.session.execute(RECIPIENT, {"case_number": event["case_number"]}).first() is None:
        tx.session.execute(_NEW_RECIPIENT, dict(case_number=event["case_number"],
                                                phone_encrypted=cipher.encrypt(phone),
                                                phone_masked=mask_phone(phone)))
    queue(tx, cipher, event, QUERY_CODE, cipher.encrypt(phone), mask_phone(phone))


def queue_proposer_text(tx, cipher, event):
    """A text the suggestions service wrote for a proposer (人民建议征集),
    queued as written, once per event; kept under the proposal's number."""
    phone = event["phone"]
    queue(tx, cipher, {**event, "case_number": event["number"], "unit_code": None},
          PROPOSER_TEXT, cipher.encrypt(phone), mask_phone(phone), body=event["text"])


def phone_code_text(event):
    return render(PHONE_CODE, event)


def queue_status(tx, cipher, event, template=None):
    """Tell the petitioner what the event means for their case; the event
    type names the template unless ``template`` does."""
    recipient = tx.session.execute(RECIPIENT, {"case_number": event["case_number"]}).first()
    if recipient is None:
        raise RecipientUnknown(f"no recipient yet for {event['case_number']}")
    if recipient.phone_encrypted == ERASED:
        log.info("%s: the petitioner's phone was erased (retention); %s not texted",
                 event["case_number"], event["event_type"])
        return
    queue(tx, cipher, event, template or event["event_type"], recipient.phone_encrypted,
           recipient.phone_masked)


def queue_answer(tx, cipher, event):
    """A message (留言) on the case: the unit's answer is texted to the
    petitioner (one SMS an answer); the petitioner's own message, to nobody."""
    if event["written_by"] == events.BY_STAFF:
        queue_status(tx, cipher, event, MESSAGE_ANSWERED)


def queue_staff_email(tx, cipher, event):
    """Tell the unit responsible (``responsible_unit`` for a deadline, else
    the case's) by email, for the events with a staff template, when it has a
    mailbox; a unit without one is told in its work queue only."""
    if STAFF + event["event_type"] not in STAFF_TEMPLATES:
        return
    email = tx.session.scalar(
        MAILBOX, {"unit_code": event.get("responsible_unit") or event["unit_code"] or ""})
    if email is None:
        return
    queue(tx, cipher, event, STAFF + event["event_type"], cipher.encrypt(email),
          mask_email(email), channel=EMAIL)


def require_unit_admin(actor, unit_code):
    """A unit's channels (mailbox, webhooks) are its leader's, or a bureau
    administrator's, to set."""
    if not (actor["role"] == BUREAU_ADMIN
            or (actor["role"] == UNIT_LEADER and actor["unit_code"] == unit_code)):
        raise Forbidden("只有本单位负责人或信访局管理员可以设置",
                        {"unit_code": ["not your unit, or not an administrator"]})


def set_unit_contact(tx, actor, unit_code, data):
    """A unit's mailbox, set by its leader or a bureau administrator."""
    require_unit_admin(actor, unit_code)
    email = load(UnitContactInput(), data)["email"]
    contact = tx.session.get(UnitContact, unit_code)
    if contact is None:
        contact = UnitContact(unit_code=unit_code, email=email, updated_by=actor["username"])
        tx.session.add(contact)
    contact.email, contact.updated_by = email, actor["username"]
    tx.session.flush()
    return UnitContactSchema().dump(contact)


def queue(tx, cipher, event, template, to_encrypted, to_masked, channel=SMS, body=None,
          **columns):
    """A pending message for ``event``: ``body`` (the template rendered from
    the event when not given) to one address, once per event and template."""
    event_id = str(event["event_id"])
    # The unique key would refuse a duplicate too; checking first keeps a
    # redelivery a quiet no-op even without the inbox.
    if tx.session.execute(QUEUED, {"event_id": event_id, "template": template}).first():
        return
    columns.setdefault("id", str(uuid.uuid4()))
    tx.session.execute(_NEW_MESSAGE, dict(
        case_number=event["case_number"], area_code=event["area_code"],
        unit_code=event["unit_code"], event_id=event_id, template=template, channel=channel,
        to_encrypted=to_encrypted, to_masked=to_masked,
        body_encrypted=cipher.encrypt(render(template, event) if body is None else body),
        next_attempt_at=utcnow(), **columns,
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
