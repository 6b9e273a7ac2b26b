"""Personal-data retention, notify's part (core/retention.py): the
petitioner's phone kept for the case, and the texts sent to it (one carried
the query code) with their attempts' errors; the same for the texts to a
proposer, kept under the proposal's number (announced by the suggestions
store), and what the SMS provider keeps of those texts (the record
provider's file). A message still waiting to be sent is left alone (its
sender needs it); the units' emails are the units'."""
from sqlalchemy import select

from core import retention
from services.notify.models import FAILED, SENT, SMS, DeliveryAttempt, Erasure, Message, Recipient


def _texts(case_number):
    return ((Message.case_number == case_number) & (Message.channel == SMS)
            & Message.status.in_((SENT, FAILED)))


def _recipients(tx, case_number, fields):
    return retention.empty(tx.session, Recipient, Recipient.case_number == case_number, fields)


def _messages(tx, case_number, fields):
    return retention.empty(tx.session, Message, _texts(case_number), fields)


def _attempts(tx, case_number, fields):
    return retention.empty(tx.session, DeliveryAttempt, DeliveryAttempt.message_id.in_(
        select(Message.id).where(_texts(case_number))), fields)


def erasers(sms):
    """The erase functions of notify's tables; ``sms`` (the SMS provider)
    None: the provider's records counted, not changed (a dry run)."""
    def sms_log(tx, number, fields):
        keys = tx.session.scalars(select(Message.id).where(_texts(number))).all()
        n = len(keys) if sms is None else sms.forget(keys)
        return {field: n for field in fields}

    found = {"recipients": _recipients, "messages": _messages, "delivery_attempts": _attempts,
             "sms_log": sms_log}
    retention.check_erasers("notify", found)
    return found


def erase(tx, sms, number, event):
    """The entries of ``event``'s period for ``number``: a case's, or a proposal's."""
    return retention.erase(tx, "notify", Erasure, erasers(sms), number, event["period"],
                           event["final_at"])
