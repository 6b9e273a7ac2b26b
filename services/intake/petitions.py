"""Petitions as submitted: validation, storage with the petitioner's identity
encrypted, the events a submission implies, and audited reads."""
from datetime import datetime, timezone

from marshmallow import ValidationError
from sqlalchemy import bindparam, insert, select

from core import events
from core.errors import InvalidInput, NotFound
from core.once import new_request_id
from core.privacy import masked_person
from core.retention import ERASED
from core.validation import excerpt, field_errors
from services.intake import case_numbers, phone_codes, query_codes
from services.intake.models import AuditEntry, Petition, ProxyConsent
from services.intake.schemas import (
    AuditEntrySchema,
    PetitionViewSchema,
    SubmissionSchema,
    SubmittedSchema,
)

CITIZEN = "citizen"
# A malformed code and an unknown one get the same answer: no hint to
# someone guessing.
NO_SUCH_CODE = "no petition with this query code"
# One instance each for every submission (a marshmallow 4 schema keeps no
# state between calls): making one per call, its fields copied and bound, was
# a tenth of submit's CPU (README, Performance, intake round).
_SUBMISSION = SubmissionSchema()
_SUBMITTED_VIEW = SubmittedSchema()


def validate_submission(data, reference, partial=()):
    """The submission, cleaned, or InvalidInput naming every bad field.
    ``reference`` is routing's reference data: ``{categories, areas}``."""
    try:
        submission, errors = _SUBMISSION.load(data, partial=partial), {}
    except ValidationError as exc:
        submission, errors = exc.valid_data or {}, field_errors(exc)
    known = {
        "category": ({c["code"] for c in reference["categories"]}, "不在可受理的信访类别中"),
        "area_code": ({a["code"] for a in reference["areas"]}, "不在本市的地区代码中"),
    }
    for field, (codes, reason) in known.items():
        if field in submission and submission[field] not in codes:
            errors[field] = [f"{excerpt(submission[field])} {reason}"]
    if errors:
        raise InvalidInput("提交的信访事项有误，请按提示修改", details=errors)
    return submission


def submit(tx, data, reference, settings, submission_id=None, now=None, client=None,
           idempotency_key=None, app=None, proxy=None):
    """Store a petition and the events it implies, once its phone is proven
    (``sms_code``) and within the limits per ID number and per ``client``
    address. ``submission_id`` (the gateway makes one per request) makes a
    redelivered request answer with the first receipt instead of storing the
    petition twice; a client's ``idempotency_key`` does the same for a client
    that sends its request again (see ``query_codes.scoped_submission_id``).
    ``app``: a registered app's (Open311, by API key) vouches for the phone,
    so no ``sms_code``; the limits per ID number still hold. ``proxy``: a
    signed-in grid agent's consent record (agents.proxy_for)."""
    submission = validate_submission(data, reference, ("sms_code",) if app else ())
    if proxy is not None:
        submission["proxy"] = proxy
    keys = _keys(submission, settings, submission_id, idempotency_key)
    receipt = _earlier_receipt(tx, keys, settings)
    if receipt is not None:
        return receipt

    submitted_at = now or datetime.now(timezone.utc)
    if not app:
        phone_codes.consume_code(tx, submission, settings, submitted_at)
    phone_codes.limit_petitions(tx, submission, client, settings, submitted_at)
    case_number = case_numbers.next_case_number(tx.session, submitted_at, settings.timezone)
    proxy = submission["proxy"]
    petition = dict(
        case_number=case_number,
        submission_hash=keys.submission_hash,
        query_code_hash=keys.query_code_hash,
        name_encrypted=settings.cipher.encrypt(submission["name"]),
        id_number_encrypted=settings.cipher.encrypt(submission["id_number"]),
        id_number_hash=settings.hash(submission["id_number"]),
        phone_encrypted=settings.cipher.encrypt(submission["phone"]),
        title=submission["title"],
        content=submission["content"],
        category=submission["category"],
        area_code=submission["area_code"],
        address=submission["address"] or None,
        channel="proxy" if proxy else "online",
        publish=submission["publish"],
        submitted_at=submitted_at,
    )
    _store(tx, petition, proxy)

    case = dict(case_number=case_number, area_code=petition["area_code"], unit_code=None)
    tx.emit(events.PETITION_SUBMITTED, **case, category=petition["category"],
            title=petition["title"], submitted_at=submitted_at, channel=petition["channel"],
            publish=petition["publish"],
            petitioner_key=settings.petitioner_key(submission["id_number"]))
    # The only place the plaintext query code travels: to notify, privately.
    tx.emit(events.PETITIONER_CONTACT, **case, sealed=settings.private.seal(
        {"phone": submission["phone"], "query_code": keys.query_code}))
    return _receipt(case_number, submitted_at, keys.query_code, settings)


def _store(tx, petition, proxy):
    """The new petition's row (its personal fields already encrypted), and a
    grid agent's consent: Core INSERTs built once, run at once in the
    submission's transaction. As ORM objects flushed by the unit of work they
    were a sixth of submit's CPU (README, Performance, intake round); a
    collision on a unique key (two sends at once) still fails the
    transaction, now at the INSERT rather than at the flush."""
    petition_id = tx.session.execute(_INSERT_PETITION, petition).inserted_primary_key[0]
    if proxy:
        tx.session.execute(_INSERT_PROXY, dict(
            petition_id=petition_id, agent_id=proxy["agent_id"],
            consent_record=proxy["consent_record"], consent_method=proxy.get("consent_method"),
            consent_given_at=proxy.get("consent_given_at"),
            recorded_at=petition["submitted_at"]))


def earlier_receipt(tx, data, reference, settings, idempotency_key, submission_id=None):
    """The receipt of the petition this person already submitted with
    ``idempotency_key`` (or the gateway with ``submission_id``: it calls again
    when a call's answer was lost), or None (neither, bad data, or no such
    petition)."""
    if not (idempotency_key or submission_id):
        return None
    try:
        submission = validate_submission(data, reference)
    except InvalidInput:
        return None
    return _earlier_receipt(tx, _keys(submission, settings, submission_id, idempotency_key),
                            settings)


def _keys(submission, settings, submission_id, idempotency_key):
    if idempotency_key:
        submission_id = query_codes.scoped_submission_id(
            idempotency_key, submission["id_number"], submission["phone"], settings.hash_key)
    return query_codes.keys_for(submission_id or new_request_id(),
                                settings.hash_key)


# What a receipt shows, read as a Core statement built once: every submission
# asks (nearly always finding nothing), and building an ORM query for it was a
# few per cent of intake's CPU (README, Performance, fifth round).
_PETITIONS = Petition.__table__
_INSERT_PETITION = insert(_PETITIONS)
_INSERT_PROXY = insert(ProxyConsent.__table__)
_SUBMITTED = select(_PETITIONS.c.case_number, _PETITIONS.c.submitted_at).where(
    _PETITIONS.c.submission_hash == bindparam("submission_hash"))


def _earlier_receipt(tx, keys, settings):
    petition = tx.session.execute(_SUBMITTED,
                                  {"submission_hash": keys.submission_hash}).first()
    return None if petition is None else _receipt(petition.case_number, petition.submitted_at,
                                                  keys.query_code, settings)


def _receipt(case_number, submitted_at, query_code, settings):
    return _SUBMITTED_VIEW.dump(dict(
        case_number=case_number, query_code=query_code, status=events.SUBMITTED,
        submitted_at=submitted_at.astimezone(settings.timezone)))


def lookup(tx, query_code, settings):
    """The petition behind a query code, for its petitioner."""
    petition = tx.session.execute(
        _VIEW_BY_QUERY_CODE, {"query_code_hash": _query_code_hash(query_code, settings)}).first()
    if petition is None:
        raise NotFound(NO_SUCH_CODE)
    return _read(tx, petition, settings, CITIZEN, "read_by_query_code")


def case_number_for(tx, query_code, settings):
    """Only the case number (to rate it): no personal data read, none audited."""
    return by_query_code(tx, query_code, settings).case_number


def by_query_code(tx, query_code, settings):
    petition = tx.session.scalar(select(Petition).where(
        Petition.query_code_hash == _query_code_hash(query_code, settings)))
    if petition is None:
        raise NotFound(NO_SUCH_CODE)
    return petition


def _query_code_hash(query_code, settings):
    code = query_codes.canonical(query_code)
    if not code:
        raise NotFound(NO_SUCH_CODE)
    return settings.hash(code)


def petitioner(tx, case_number, actor, settings):
    """The petition with its (masked) petitioner, for a member of staff."""
    username = actor.get("username") if isinstance(actor, dict) else None
    if not username:
        raise InvalidInput("缺少操作人", details={"actor": ["须提供操作人用户名"]})
    petition = tx.session.execute(_VIEW_BY_CASE_NUMBER, {"case_number": case_number}).first()
    if petition is None:
        raise NotFound(f"no petition {case_number}")
    return _read(tx, petition, settings, username, "read_by_staff")


def audit_log(tx, case_number, settings):
    petition = by_case_number(tx, case_number)
    entries = tx.session.scalars(
        select(AuditEntry).where(AuditEntry.petition_id == petition.id).order_by(AuditEntry.id))
    return AuditEntrySchema(many=True).dump([
        dict(at=e.at.astimezone(settings.timezone), actor=e.actor, action=e.action)
        for e in entries])


def by_case_number(tx, case_number):
    petition = tx.session.scalar(select(Petition).where(Petition.case_number == case_number))
    if petition is None:
        raise NotFound(f"no petition {case_number}")
    return petition


def audit(tx, petition, actor, action):
    """One read of the petitioner's data (or material) by ``actor`` (a name):
    a Core INSERT built once, run at once in the read's transaction (an ORM
    row flushed at the commit was a tenth of a look-up's CPU in intake)."""
    tx.session.execute(_AUDIT, {"petition_id": petition.id, "at": datetime.now(timezone.utc),
                                "actor": actor, "action": action})


_AUDIT = insert(AuditEntry.__table__)


def identity(petition, settings):
    """The petitioner's name, ID number and phone in clear; None once they
    were erased at the end of their retention period (core/retention.py)."""
    if petition.name_encrypted == ERASED:
        return None
    decrypt = settings.cipher.decrypt
    return dict(name=decrypt(petition.name_encrypted),
                id_number=decrypt(petition.id_number_encrypted),
                phone=decrypt(petition.phone_encrypted))


# What a petition's view shows, with its proxy's consent (an agent's
# submission), in one indexed read of plain rows, as a Core statement built
# once: the look-up by query code is the citizens' most frequent request, and
# the ORM's object, its statement building and the proxy's lazy load (a
# second SELECT) were a third of intake's CPU per look-up (README,
# Performance, the round of branch `lookup`).
_PROXIES = ProxyConsent.__table__
_VIEW = select(
    _PETITIONS.c.id, _PETITIONS.c.case_number, _PETITIONS.c.name_encrypted,
    _PETITIONS.c.id_number_encrypted, _PETITIONS.c.phone_encrypted, _PETITIONS.c.title,
    _PETITIONS.c.content, _PETITIONS.c.category, _PETITIONS.c.area_code, _PETITIONS.c.address,
    _PETITIONS.c.channel, _PETITIONS.c.publish, _PETITIONS.c.submitted_at,
    _PROXIES.c.agent_id, _PROXIES.c.consent_record, _PROXIES.c.recorded_at,
).outerjoin(_PROXIES, _PROXIES.c.petition_id == _PETITIONS.c.id)
_VIEW_BY_QUERY_CODE = _VIEW.where(_PETITIONS.c.query_code_hash == bindparam("query_code_hash"))
_VIEW_BY_CASE_NUMBER = _VIEW.where(_PETITIONS.c.case_number == bindparam("case_number"))
_PETITION_VIEW = PetitionViewSchema()


def _read(tx, petition, settings, actor, action):
    """Every read of a petitioner's data leaves an audit row, even masked.
    ``petition``: a row of ``_VIEW``."""
    clear = identity(petition, settings)
    view = _PETITION_VIEW.dump(dict(
        case_number=petition.case_number,
        petitioner=clear and masked_person(clear["name"], clear["id_number"], clear["phone"]),
        title=petition.title, content=petition.content, category=petition.category,
        area_code=petition.area_code, address=petition.address, channel=petition.channel,
        publish=petition.publish,
        submitted_at=petition.submitted_at.astimezone(settings.timezone),
        # the outer join's columns are None without a proxy (agent_id is never null)
        proxy=None if petition.agent_id is None else dict(
            agent_id=petition.agent_id, consent_record=petition.consent_record,
            recorded_at=petition.recorded_at.astimezone(settings.timezone)),
    ))
    # Last: its insert takes SQLite's write lock, held from here to the commit.
    audit(tx, petition, actor, action)
    return view
