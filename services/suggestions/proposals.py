"""People's suggestions (人民建议征集): proposals in, the bureau's review, the
department's answer, publication; the proposer follows by query code and is
texted (notify) at each step that concerns them.

Its own service, not a kind of petition: a proposal asks for nothing for the
proposer and has no handling deadline, rating or review; it has its own
owner (the bureau's suggestions office), its own workflow (workflow.py),
topics, and a store of its own. Its figures are reports' (services/reports/
suggestions.py), built from the ``suggestion_step`` events it publishes. What it shares with petitions is
reused, not copied: the SMS code that proves the phone (intake's, used up by
``intake.prove_phone``), the query codes (intake's derivation), encryption
and masks (core.privacy), the staff tokens (core.actors) and notify.
"""
from datetime import datetime, timezone

from sqlalchemy import select

from core import events
from core.config import LOCAL_TIME
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.logs import mask
from core.privacy import masked_person
from core.retention import ERASED
from core.roles import BUREAU_ROLES
from core.validation import load
from services.intake.query_codes import canonical, query_code_for
from services.suggestions import workflow
from services.suggestions.models import Proposal, ProposalStep, Topic
from services.suggestions.schemas import (
    ProposalQuerySchema,
    ProposalReceiptSchema,
    ProposalStepInputSchema,
    ProposalSubmissionSchema,
    ProposalViewSchema,
    PublishedProposalSchema,
    SuggestionTopicInputSchema,
    SuggestionTopicSchema,
)
from services.tracking.access import jurisdiction_prefix, load_actor

PROOF_FIELDS = ("phone", "id_number", "sms_code")


def validate_submission(data):
    return load(ProposalSubmissionSchema(), data, "建议内容有误")


def phone_proof(submission, settings):
    """What intake needs to use up the SMS code, sealed for it."""
    return settings.submissions.seal({key: submission[key] for key in PROOF_FIELDS})


def submit(tx, submission, settings, submission_id, today):
    """Store a proposal whose phone intake has proven; text its query code."""
    topic = None
    if submission["topic_id"] is not None:
        topic = tx.session.get(Topic, submission["topic_id"])
        if topic is None:
            raise InvalidInput("征集主题不存在", {"topic_id": ["没有这个征集主题"]})
        if not topic.opens_on <= today <= topic.closes_on:
            raise InvalidInput("征集主题不在征集期内", {
                "topic_id": [f"征集期为{topic.opens_on}至{topic.closes_on}"]})
    code = query_code_for(submission_id, settings.hash_key)
    cipher = settings.cipher
    proposal = Proposal(
        query_code_hash=settings.hash(canonical(code)), topic_id=topic and topic.id,
        area_code=submission["area_code"], organisation=submission["organisation"] or None,
        name_encrypted=cipher.encrypt(submission["name"]),
        id_number_encrypted=cipher.encrypt(submission["id_number"]),
        phone_encrypted=cipher.encrypt(submission["phone"]),
        title=submission["title"], content=submission["content"], publish=submission["publish"],
        status=workflow.SUBMITTED, submitted_at=datetime.now(timezone.utc))
    tx.session.add(proposal)
    tx.session.flush()
    proposal.number = f"JY{proposal.submitted_at.astimezone(LOCAL_TIME):%Y%m%d}-{proposal.id:06d}"
    _record(tx, proposal, "submit", None, None)
    _text(tx, settings, proposal, submission["phone"],
          workflow.SUBMIT_SMS.format(number=proposal.number, query_code=code))
    return ProposalReceiptSchema().dump({"number": proposal.number, "query_code": code,
                                 "status": proposal.status})


def follow(tx, query_code, settings):
    """The proposal behind a query code, for its proposer."""
    code = canonical(query_code)
    proposal = code and tx.session.scalar(
        select(Proposal).where(Proposal.query_code_hash == settings.hash(code)))
    if not proposal:
        raise NotFound("no proposal with this query code")
    return _view(tx, proposal, settings)


def act(tx, number, action, body, actor, settings):
    """One step of workflow.STEPS, by the one who may take it."""
    actor = load_actor(actor)
    step = workflow.STEPS.get(action)
    if step is None:
        raise NotFound(f"no step {action}")
    proposal = _proposal(tx, number, actor)
    _may_take(step, proposal, actor)
    body = load(ProposalStepInputSchema(), body or {}, "输入有误")
    missing = {field: ["必填"] for field in step.needs if not body.get(field)}
    if missing:
        raise InvalidInput("输入有误", missing)
    if proposal.status not in step.from_states:
        raise Conflict(f"the proposal is {proposal.status}: {action} is not possible",
                       {"status": [workflow.STATE_NAMES[proposal.status]]})
    getattr(_APPLY, action, lambda *args: None)(tx, proposal, body)
    for field in step.needs:
        setattr(proposal, field, body[field])
    previous, proposal.status = proposal.status, step.to_state
    _record(tx, proposal, action, previous, actor["username"])
    if step.sms:
        _text(tx, settings, proposal, settings.cipher.decrypt(proposal.phone_encrypted),
              step.sms.format(number=proposal.number, reason=proposal.reason or ""))
    return _view(tx, proposal, settings)


class _APPLY:
    """What a step does besides setting its fields and the state."""

    @staticmethod
    def merge(tx, proposal, body):
        other = tx.session.scalar(select(Proposal).where(Proposal.number == body["merged_into"]))
        if other is None or other.id == proposal.id:
            raise InvalidInput("输入有误", {"merged_into": ["须为另一件建议的编号"]})

    @staticmethod
    def forward(tx, proposal, body):
        topic = proposal.topic_id and tx.session.get(Topic, proposal.topic_id)
        if topic and body["department"] not in topic.departments:
            raise InvalidInput("输入有误", {"department": [
                f"须为本征集主题的答复部门之一：{'、'.join(topic.departments)}"]})

    @staticmethod
    def adopt(tx, proposal, body):
        proposal.answered_at = datetime.now(timezone.utc)

    not_adopt = adopt

    @staticmethod
    def publish(tx, proposal, body):
        if not proposal.publish:
            raise Conflict("the proposer did not agree to publication",
                           {"publish": ["建议人不同意公开"]})
        proposal.published_at = datetime.now(timezone.utc)


def staff_list(tx, query, actor, settings):
    """A bureau's proposals (its jurisdiction), a department's (forwarded to it)."""
    actor = load_actor(actor)
    query = load(ProposalQuerySchema(), query or {})
    listed = select(Proposal).where(_scope(actor))
    if query["status"]:
        listed = listed.where(Proposal.status == query["status"])
    if query["topic_id"]:
        listed = listed.where(Proposal.topic_id == query["topic_id"])
    rows = tx.session.scalars(listed.order_by(Proposal.id.desc())
                              .limit(query["limit"]).offset(query["offset"]))
    return [_view(tx, p, settings) for p in rows]


def staff_view(tx, number, actor, settings):
    return _view(tx, _proposal(tx, number, load_actor(actor)), settings)


def open_topic(tx, data, actor, today):
    """A bureau opens a solicitation topic (征集主题) in its jurisdiction."""
    actor = _bureau(actor)
    topic = load(SuggestionTopicInputSchema(), data or {}, "征集主题有误")
    if not topic["area_code"].startswith(jurisdiction_prefix(actor["area_code"])):
        raise Forbidden("outside your jurisdiction", {"area_code": ["不在本局辖区"]})
    row = Topic(**topic, opened_by=actor["username"])
    tx.session.add(row)
    tx.session.flush()
    return _topic(row, today)


def topics(tx, today):
    rows = tx.session.scalars(select(Topic).order_by(Topic.closes_on.desc(), Topic.id))
    return [_topic(row, today) for row in rows]


def published(tx, limit=20, offset=0):
    """Adopted proposals published with the department's answer, masked."""
    limit, offset = _page(limit, offset)
    rows = tx.session.execute(
        select(Proposal, Topic.title).outerjoin(Topic, Topic.id == Proposal.topic_id)
        .where(Proposal.status == workflow.PUBLISHED)
        .order_by(Proposal.published_at.desc(), Proposal.id).limit(limit).offset(offset))
    return PublishedProposalSchema(many=True).dump([{
        "number": p.number, "topic_title": title, "title": mask(p.title),
        "content": mask(p.content), "department": p.department, "answer": p.answer,
        "follow_up": p.follow_up, "published_at": p.published_at,
        "proposer": p.organisation or "市民" } for p, title in rows])


def _page(limit, offset):
    try:
        limit, offset = int(limit), int(offset)
    except (TypeError, ValueError):
        raise InvalidInput("输入有误", {"limit": ["应为整数"]}) from None
    if not (1 <= limit <= 100 and 0 <= offset <= 2**31 - 1):
        raise InvalidInput("输入有误", {"limit": ["1至100"], "offset": ["不小于0"]})
    return limit, offset


def _bureau(actor):
    actor = load_actor(actor)
    if actor["role"] not in BUREAU_ROLES:
        raise Forbidden("for the petition bureau")
    return actor


def _scope(actor):
    if actor["role"] in BUREAU_ROLES:
        return Proposal.area_code.startswith(jurisdiction_prefix(actor["area_code"]))
    return Proposal.department == actor["unit_code"]


def _proposal(tx, number, actor):
    """The proposal if it is the actor's to see; otherwise it does not exist."""
    proposal = isinstance(number, str) and tx.session.scalar(
        select(Proposal).where(Proposal.number == number, _scope(actor)))
    if not proposal:
        raise NotFound(f"no proposal {number}")
    return proposal


def _may_take(step, proposal, actor):
    if step.who == workflow.BUREAU and actor["role"] not in BUREAU_ROLES:
        raise Forbidden(f"{step.action}: for the bureau")
    if step.who == workflow.DEPARTMENT and actor["unit_code"] != proposal.department:
        raise Forbidden(f"{step.action}: for the department the proposal was forwarded to")


def _record(tx, proposal, action, previous, actor):
    tx.session.add(ProposalStep(proposal_id=proposal.id, action=action, from_state=previous,
                                to_state=proposal.status, actor=actor))
    topic = proposal.topic_id and tx.session.get(Topic, proposal.topic_id)
    tx.emit(events.SUGGESTION_STEP, number=proposal.number, topic_id=proposal.topic_id,
            topic_title=topic and topic.title, area_code=proposal.area_code, department=proposal.department, action=action,
            from_state=previous, to_state=proposal.status)


def _text(tx, settings, proposal, phone, text):
    tx.emit(events.PROPOSER_MESSAGE, number=proposal.number, area_code=proposal.area_code,
            sealed=settings.private.seal({"phone": phone, "text": text}))


def _view(tx, proposal, settings):
    decrypt = settings.cipher.decrypt
    topic = proposal.topic_id and tx.session.get(Topic, proposal.topic_id)
    steps = tx.session.scalars(select(ProposalStep).where(
        ProposalStep.proposal_id == proposal.id).order_by(ProposalStep.id))
    values = {"merged_into": proposal.merged_into, "reason": proposal.reason,
              "answer": proposal.answer}
    timeline = [{**workflow.SUBMITTED_ENTRY, "at": s.at} if s.action == "submit" else
                {"step": workflow.STEPS[s.action].name_zh, "step_en": workflow.STEPS[s.action].name_en,
                 "text": workflow.STEPS[s.action].public.format_map(values),
                 "text_en": workflow.STEPS[s.action].public_en, "at": s.at}
                for s in steps]
    return ProposalViewSchema().dump({
        "number": proposal.number, "status": proposal.status,
        "status_name": workflow.STATE_NAMES[proposal.status],
        "topic_id": proposal.topic_id, "topic_title": topic and topic.title,
        "organisation": proposal.organisation,
        "proposer": None if proposal.name_encrypted == ERASED else masked_person(
            decrypt(proposal.name_encrypted), decrypt(proposal.id_number_encrypted),
            decrypt(proposal.phone_encrypted)),
        "title": proposal.title, "content": proposal.content, "area_code": proposal.area_code,
        "department": proposal.department, "merged_into": proposal.merged_into,
        "reason": proposal.reason, "answer": proposal.answer, "follow_up": proposal.follow_up,
        "submitted_at": proposal.submitted_at, "timeline": timeline})


def _topic(row, today):
    return SuggestionTopicSchema().dump({
        "id": row.id, "title": row.title, "description": row.description,
        "area_code": row.area_code, "opens_on": row.opens_on.isoformat(),
        "closes_on": row.closes_on.isoformat(), "departments": row.departments,
        "open": row.opens_on <= today <= row.closes_on})
