"""Messages (留言) on a case: the petitioner writes by query code while the
case is open; the handling unit's staff answer. A message is personal data:
its text is encrypted at rest, never put in an event or a log line (the event
says who wrote and how long it is), and every staff read is audited. Staff
read a case's messages only when tracking says the case is in their scope
(unit, co-units, jurisdiction); only the handling unit answers. The same text
sent twice in a row by the same author (a retry, a double tap) is one message.
"""
from datetime import datetime, timezone

from sqlalchemy import func, select

from core import events
from core.errors import Conflict, Forbidden
from core.retention import ERASED
from core.validation import load
from services.intake.attachments import PETITIONER, STAFF, refuse_if_closed
from services.intake.models import Message
from services.intake.petitions import audit, by_case_number, by_query_code
from services.intake.schemas import CaseMessageInputSchema, CaseMessageSchema

MAX_PETITIONER_MESSAGES = 50
READ = "read_messages"


def leave(tx, query_code, body, case, settings, now=None):
    """The petitioner's message; ``case`` is tracking's public view (None: not yet there)."""
    text = load(CaseMessageInputSchema(), body)["text"]
    petition = by_query_code(tx, query_code, settings)
    refuse_if_closed(case, "留言", "messages")
    tx.session.refresh(petition, with_for_update=True)  # the count below stays true
    written = tx.session.scalar(select(func.count()).select_from(Message).where(
        Message.petition_id == petition.id, Message.unit_code.is_(None)))
    if written >= MAX_PETITIONER_MESSAGES:
        raise Conflict(f"a case holds at most {MAX_PETITIONER_MESSAGES} messages from its petitioner",
                       {"text": [f"每件最多留言 {MAX_PETITIONER_MESSAGES} 条 / "
                                 f"at most {MAX_PETITIONER_MESSAGES} messages a case"]})
    return _add(tx, petition, text, PETITIONER, None, settings, now)


def answer(tx, case_number, body, actor, handling_unit, settings, now=None):
    """The handling unit's answer (tracking checked the scope and named the unit)."""
    text = load(CaseMessageInputSchema(), body)["text"]
    if actor["unit_code"] != handling_unit:
        raise Forbidden(f"only the handling unit answers messages on case {case_number}")
    return _add(tx, by_case_number(tx, case_number), text, actor["username"],
                actor["unit_code"], settings, now)


def for_petitioner(tx, query_code, settings):
    """The case's messages both ways, as the petitioner sees them (no staff names)."""
    petition = by_query_code(tx, query_code, settings)
    return [_view(m, settings, staff_names=False) for m in _of(tx, petition)]


def for_staff(tx, case_number, actor, settings):
    """The case's messages for its staff (tracking checked the scope): audited."""
    petition = by_case_number(tx, case_number)
    audit(tx, petition, actor["username"], READ)
    return [_view(m, settings, staff_names=True) for m in _of(tx, petition)]


def _add(tx, petition, text, author, unit_code, settings, now):
    latest = tx.session.scalar(select(Message).where(Message.petition_id == petition.id)
                               .order_by(Message.id.desc()).limit(1))
    if (latest is not None and latest.author == author and latest.text_encrypted != ERASED
            and settings.cipher.decrypt(latest.text_encrypted) == text):
        return _view(latest, settings, staff_names=unit_code is not None)
    message = Message(petition_id=petition.id, text_encrypted=settings.cipher.encrypt(text),
                      length=len(text), author=author, unit_code=unit_code,
                      written_at=now or datetime.now(timezone.utc))
    tx.session.add(message)
    tx.session.flush()
    tx.emit(events.MESSAGE_ADDED, case_number=petition.case_number,
            area_code=petition.area_code, unit_code=unit_code,
            written_by=PETITIONER if unit_code is None else STAFF, length=len(text))
    return _view(message, settings, staff_names=unit_code is not None)


def _of(tx, petition):
    return tx.session.scalars(select(Message).where(Message.petition_id == petition.id)
                              .order_by(Message.id))


def _view(message, settings, staff_names):
    by_staff = message.unit_code is not None
    return CaseMessageSchema().dump(dict(
        id=message.id, text=None if message.text_encrypted == ERASED
        else settings.cipher.decrypt(message.text_encrypted),
        written_by=STAFF if by_staff else PETITIONER, unit_code=message.unit_code,
        author=message.author if by_staff and staff_names else None,
        written_at=message.written_at))
