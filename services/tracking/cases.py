"""The mechanism that runs the workflow tables (workflows.py), and what each
step does to the case (its effect). Every state change, from an event, a staff
action, the petitioner or the sweep, goes through ``_run``: it checks the
state (``_move``: one Conflict, naming the state, for every illegal move),
applies the step's effect, writes the timeline (the public summary and the
staff detail) and emits the step's event, in the caller's transaction.

Events may arrive in any order (each queue is consumed on its own): whichever
arrives first creates the case, the others fill in what they know, and none
moves a case back to an earlier state.
"""
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, select

from core import events
from core.calendar import local_date
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.validation import load
from services.tracking import clocks as clock_rules
from services.tracking import schemas
from services.tracking.access import case_in_scope, find_case, is_city_bureau, load_actor
from services.tracking.clocks import close_deadlines, set_deadline, start_unit_clocks
from services.tracking.models import (
    Case,
    CoPart,
    SpotCheck,
    SupervisionOrder,
    TimelineEntry,
    written,
)
from services.tracking.workflows import BEFORE_REPLY, NOTES, STEPS, WHO

SERVICE = "tracking"
TRACK_NAMES = {"immediate": "马上办", "standard": "一般", "special_case": "专案专办",
               "escalated": "提级办理"}
DIMENSION_NAMES = {"service_attitude": "服务态度", "work_efficiency": "工作效率",
                   "handling_quality": "办理质量"}
ORDER_KINDS = {"rating": "评价不满意督办", "overdue": "超期督办", "return_visit": "回访不满意督办",
               "work": "工作督办", "special": "专项督办"}
WORKFLOW_SUBJECTS = {"extension": "extension", "co_handling": "co-handling part",
                     "supervision": "supervision order", "review": "review"}


class NotYetApplicable(Exception):
    """The event depends on one not yet applied here; raising makes the
    reliable handler redeliver it later."""


@dataclass
class StepContext:
    """What an effect works with, and what it hands back for the timeline
    (``values``), the event (``emit``) and steps that follow it (``then``)."""

    tx: object
    case: Case
    subject: object
    data: dict
    actor: str | None
    clocks: object
    at: object                 # the moment of the step (an event's, or now)
    directory: object = None
    values: dict = field(default_factory=dict)
    emit: dict = field(default_factory=dict)
    then: list = field(default_factory=list)

    def unit(self, code, field_name="unit_code"):
        """A unit of the directory (routing's), or InvalidInput naming the field."""
        units = self.directory() if self.directory else {}
        if code not in units:
            raise InvalidInput("未知的单位", {field_name: [f"未知的单位：{code}"]})
        return units[code]


# --- the mechanism ------------------------------------------------------------

def act(tx, case_number, action, actor, body, clocks, directory=None):
    """A staff step: ``action`` is a row of a workflow table."""
    workflow, step = _step(action, staff=True)
    actor = load_actor(actor)
    who = WHO[step.who]
    if actor["role"] not in who.roles:
        raise Forbidden(f"role {actor['role']} may not take the step {action} ({step.name_zh})")
    data = _input(step, body)
    try:
        case = case_in_scope(tx, case_number, actor, for_update=True)
    except NotFound:
        # A step that took the case out of the actor's scope (退回, 转办),
        # repeated by the same person: answered as the first time was.
        case = find_case(tx, case_number)
        if not _repeated(tx, case, step, actor["username"],
                         _fingerprint(action, actor["username"], data)):
            raise
        return _outcome(case, workflow, _subject(tx, case, workflow, actor["unit_code"]))
    _check_relation(tx, case, actor, who.relation)
    return _run(tx, case, workflow, step, data, actor["username"], clocks, directory,
                actor_unit=actor["unit_code"])


def petitioner_act(tx, case_number, action, body, clocks, directory=None):
    """A petitioner's step (复查, 复核), by the query code the gateway checked."""
    workflow, step = _step(action, staff=False)
    data = _input(step, body)
    return _run(tx, find_case(tx, case_number, for_update=True), workflow, step, data,
                "信访人", clocks, directory)


def _input(step, body):
    """The step's input, loaded by the schema its row names."""
    return load(getattr(schemas, step.body)(), body or {}) if step.body else {}


def _step(action, staff):
    found = STEPS.get(action) if isinstance(action, str) else None
    wanted = (lambda who: who not in ("system", "petitioner")) if staff else (
        lambda who: who == "petitioner")
    if found is None or not wanted(found[1].who):
        raise NotFound(f"no such step: {action}")
    return found


def _check_relation(tx, case, actor, relation):
    unit = actor["unit_code"]
    allowed = {
        "assigned_unit": lambda: case.unit_code == unit,
        "jurisdiction": lambda: True,   # case_in_scope already limited it
        "city_bureau": lambda: is_city_bureau(actor),
        "co_unit": lambda: _part(tx, case, unit) is not None,
        "reviewing_unit": lambda: case.reviewing_unit_code == unit,
    }[relation]
    if not allowed():
        raise Forbidden(f"case {case.case_number}: {unit} is not the {relation.replace('_', ' ')}")


def _run(tx, case, workflow, step, data, actor, clocks, directory=None, actor_unit=None,
         at=None):
    subject = _subject(tx, case, workflow, actor_unit)
    fingerprint = _fingerprint(step.action, actor, data)
    if _repeated(tx, case, step, actor, fingerprint):
        return _outcome(case, workflow, subject)
    _move(case, workflow, step, subject)
    from_state = _state(case, workflow, subject)
    at = at or clocks.now()
    ctx = StepContext(tx, case, subject, data, actor, clocks, at, directory)
    unit_code = case.unit_code  # the event names the unit the step was about
    EFFECTS[step.action](ctx)
    if step.to_state is not None:
        _set_state(case, workflow, ctx.subject, step.to_state)
    to_state = _state(case, workflow, ctx.subject)
    values = {**_columns(case), **data, "actor": actor or "", **ctx.values}
    note(tx, case, step.action, step.public.format_map(values) if step.public else step.name_zh,
         at=at, public=step.public is not None,
         detail=step.staff.format_map(values), actor=actor, fingerprint=fingerprint)
    if step.event.source == SERVICE:  # the others are the events the step applies
        tx.emit(step.event, case_number=case.case_number, area_code=case.area_code,
                unit_code=unit_code, actor=actor, from_state=from_state, to_state=to_state,
                **ctx.emit)
    for follow in ctx.then:
        follow()
    return _outcome(case, workflow, ctx.subject)


def _move(case, workflow, step, subject):
    """The one check of every step: the state it starts from (409 otherwise)."""
    if step.case_states is not None and case.status not in step.case_states:
        raise Conflict(f"case {case.case_number} is {case.status}; "
                       f"{step.action} ({step.name_zh}) cannot start from it")
    if workflow.state_of == "none":
        return
    state = _state(case, workflow, subject)
    if state not in step.from_states:
        what = WORKFLOW_SUBJECTS.get(workflow.name)
        where = f"case {case.case_number}" + (f" {what}" if what else "")
        raise Conflict(f"{where} is {state}; {step.action} ({step.name_zh}) cannot start from it")


def _subject(tx, case, workflow, actor_unit):
    if workflow.state_of == "order":
        return current_order(tx, case)
    if workflow.state_of == "part":
        return _part(tx, case, actor_unit)
    return case


def _state(case, workflow, subject):
    if workflow.state_of == "none":
        return "-"
    if workflow.state_of in ("order", "part"):
        return subject.status if subject is not None else "none"
    return getattr(case, workflow.state_of.removeprefix("case."))


def _set_state(case, workflow, subject, state):
    if workflow.state_of in ("order", "part"):
        subject.status = state
    else:
        setattr(case, workflow.state_of.removeprefix("case."), state)


def _outcome(case, workflow, subject):
    outcome = {"case_number": case.case_number, "status": case.status}
    if workflow.name != "handling":
        outcome[workflow.name] = _state(case, workflow, subject)
    return outcome


def _fingerprint(action, actor, data):
    canonical = json.dumps([action, actor, data], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _repeated(tx, case, step, actor, fingerprint):
    """The same person repeating the same step with the same input answers as
    the first time did (a double click, or a reply lost with the broker and the
    request redelivered), not a conflict: their latest step on the case is it."""
    if actor is None or step.who == "system":
        return False
    latest = tx.session.scalar(select(TimelineEntry).where(
        TimelineEntry.case_number == case.case_number, TimelineEntry.actor == actor)
        .order_by(TimelineEntry.id.desc()).limit(1))
    return latest is not None and latest.kind == step.action and latest.fingerprint == fingerprint


def _columns(case):
    values = {c.key: getattr(case, c.key) for c in Case.__table__.columns}
    return {k: ("" if v is None else v) for k, v in values.items()}


# A timeline entry is written at once by an INSERT built once: an ORM object
# and its share of the flush cost more than the row, and nothing reads it back
# in the transaction but by a query.
_NOTE = insert(TimelineEntry.__table__)


def note(tx, case, kind, text, at, public=True, detail=None, actor=None, fingerprint=None):
    tx.session.connection().execute(_NOTE, {
        "case_number": written(tx, case), "kind": kind, "text": text, "at": at,
        "public": public, "detail": detail, "actor": actor, "fingerprint": fingerprint})


def note_of(tx, case, kind, values=None, **entry):
    """A timeline entry that is no step: its text from workflows.NOTES."""
    note(tx, case, kind, NOTES[kind][0].format_map(values or {}), **entry)


def _part(tx, case, unit_code):
    return tx.session.scalar(select(CoPart).where(CoPart.case_number == case.case_number,
                                                  CoPart.unit_code == unit_code))


def current_order(tx, case):
    """The case's supervision order that is not closed, if any."""
    return tx.session.scalar(select(SupervisionOrder).where(
        SupervisionOrder.case_number == case.case_number, SupervisionOrder.status != "closed")
        .order_by(SupervisionOrder.id.desc()).limit(1))


# --- events -------------------------------------------------------------------

# The case an event is about, locked (FOR UPDATE on PostgreSQL), by a
# statement built once: session.get built, keyed and compiled-cache-looked-up
# its SELECT on every call.
_LOCKED_CASE = select(Case).where(Case.case_number == bindparam("number")).with_for_update()


def _locked_case(tx, case_number):
    return tx.session.scalars(_LOCKED_CASE, {"number": case_number}).one_or_none()


def _new_case(event):
    """A case's row as the first event about it creates it: the rest is unknown yet."""
    return {"case_number": event["case_number"], "status": events.SUBMITTED,
            "area_code": event["area_code"], "routing_seq": 0, "supervision_open": False,
            "extension_state": "none", "review_state": "none", "report_back_required": False}


def _case_for_event(tx, event):
    """The case an event is about, created if this is the first event seen."""
    case = _locked_case(tx, event["case_number"])
    if case is None:
        case = Case(**_new_case(event))
        tx.session.add(case)
    return case


# A submission is nearly always the first event about its case: the row is
# then written by an INSERT built once (an ORM object and its flush cost more).
_INSERT_CASE = insert(Case.__table__)


def record_submission(tx, event):
    """petition_submitted: what the public may know of the petition (no
    content, no petitioner); the state is left alone (routing may be first)."""
    known = {"title": event["title"], "publish": event["publish"],
             "submitted_at": event["submitted_at"]}
    case = _locked_case(tx, event["case_number"])
    if case is None:
        tx.session.connection().execute(_INSERT_CASE, {
            **_new_case(event), "category": event["category"], **known})
        case = event["case_number"]
    else:
        case.category = case.category or event["category"]
        for name, value in known.items():
            setattr(case, name, value)
    note_of(tx, case, events.SUBMITTED, at=event["submitted_at"])


def record_material(tx, event, clocks):
    """material_added: the petitioner (or a unit) added a file; the public
    timeline says so, the staff's says which unit and what kind of file. The
    petitioner's file answers the unit's open request for material."""
    case = _case_for_event(tx, event)
    by_petitioner = event["added_by"] == "petitioner"
    note_of(tx, case, "material" if by_petitioner else "unit_material",
            at=event["occurred_at"], actor=event["unit_code"],
         detail=f"{event['content_type']}，{event['size']} 字节")
    if by_petitioner and case.material_state == "requested":
        _run(tx, case, *STEPS["material_answered"], {}, None, clocks, at=event["occurred_at"])


def record_message(tx, event):
    """message_added: a message (留言) by the petitioner, or the unit's answer;
    the timelines say that one was written, never what."""
    case = _case_for_event(tx, event)
    by_petitioner = event["written_by"] == "petitioner"
    note_of(tx, case, "message" if by_petitioner else "message_answer",
            at=event["occurred_at"], actor=event["unit_code"], detail=f"{event['length']} 字")


def apply_routing(tx, event, clocks):
    """petition_routed: the unit, the track; the unit's clocks start. A routing
    older than the one applied (lower routing_seq) arrived late and is ignored."""
    case = _case_for_event(tx, event)
    if event["routing_seq"] <= case.routing_seq:
        return
    _run(tx, case, *STEPS["route"], {"event": event}, None, clocks, at=event["occurred_at"])


def apply_rejection(tx, event, clocks):
    """petition_rejected: not accepted (e.g. only a court can settle it)."""
    case = _case_for_event(tx, event)
    _run(tx, case, *STEPS["reject"], {"reason": event["reason"], "channel": event["channel"]},
         None, clocks, at=event["occurred_at"])


def apply_rating(tx, event, clocks):
    """rating_submitted: a satisfied rating concludes the case (办结); an
    unsatisfied one (core.events' one rule) leaves it replied and the bureau
    supervises (督办) the unit's handling."""
    case = _replied_case(tx, event)
    unsatisfied = events.unsatisfied_dimensions(event)
    if unsatisfied:
        names = "、".join(DIMENSION_NAMES[d] for d in unsatisfied)
        open_order(tx, case, "rating", f"群众对{names}不满意", clocks)
    else:
        _run(tx, case, *STEPS["conclude"], {}, None, clocks, at=event["occurred_at"])


def _replied_case(tx, event):
    """The case a rating is about: ratings open once it is replied, so an
    earlier state means this service is behind (retry later)."""
    case = _locked_case(tx, event["case_number"])
    if case is None or case.status in BEFORE_REPLY:
        raise NotYetApplicable(f"case {event['case_number']} is not replied yet")
    if case.status != "replied":
        raise Conflict(f"case {case.case_number} is {case.status}; it cannot be rated")
    return case


def open_order(tx, case, kind, reason, clocks):
    """Supervision opened by the platform (a rating, an overdue clock, a return
    visit). With an order already open the new reason joins it (staff timeline)."""
    order = current_order(tx, case)
    if order is not None and order.status != "closed":
        order.reason = f"{order.reason}；{reason}"
        note_of(tx, case, "supervision_reason_added", {"reason": reason}, at=clocks.now(),
                detail=f"并入督办单{order.id}")
        return
    _run(tx, case, *STEPS["open_supervision"], {"kind": kind, "reason": reason}, None, clocks)


# --- effects: what each step does besides moving the state ---------------------

def _route(ctx):
    case, event = ctx.case, ctx.data.pop("event")
    rerouted = case.routing_seq > 0
    case.routing_seq = event["routing_seq"]
    case.category = event["category"]
    case.unit_code, case.unit_name = event["unit_code"], event["unit_name"]
    case.track, case.routing_reason = event["track"], event["reason"]
    start_unit_clocks(ctx.tx, case, ctx.clocks)
    ctx.values.update(assigned_text="已重新分派" if rerouted else "已分派",
                      track_name=TRACK_NAMES[case.track], due_text=_due_text(case))


def _due_text(case):
    return f"办理期限{case.due_date}" if case.due_date else f"受理期限{case.accept_due}"


def _reject(ctx):
    ctx.case.rejection_reason = ctx.data["reason"]
    ctx.case.rejection_channel = ctx.data["channel"]


def _accept(ctx):
    case, today = ctx.case, ctx.clocks.today()
    late = clock_rules.is_past(case.accept_due, today)
    case.accepted_by, case.accepted_at = ctx.actor, ctx.clocks.now()
    close_deadlines(ctx.tx, case, kinds=("accept",))
    limits = ctx.clocks.track(case.track)
    if limits.conclude_from == "accepted":
        set_deadline(ctx.tx, case, "conclude", limits.conclude.due(ctx.clocks.calendar, today))
    ctx.values["late_text"] = f"（超过受理期限{case.accept_due}）" if late else ""
    ctx.emit["accepted_by"] = ctx.actor


def _decline(ctx):
    ctx.case.decline_reason = ctx.data["reason"]
    close_deadlines(ctx.tx, ctx.case)
    ctx.emit["reason"] = ctx.data["reason"]


def _return(ctx):
    """退回: the unit is not the one to handle it; routing picks another."""
    case = ctx.case
    case.return_reason, case.returned_by = ctx.data["reason"], ctx.actor
    close_deadlines(ctx.tx, case)
    ctx.emit.update(reason=ctx.data["reason"], returned_by=ctx.actor, routing_seq=case.routing_seq)
    # no longer assigned: out of the unit's work queue until routing re-routes
    case.unit_code = case.unit_name = None


def _transfer(ctx):
    """转办: the bureau names the unit; routing records it (its assignment stays
    the truth) and routes the case there, which restarts the unit's clock."""
    case = ctx.case
    unit = ctx.unit(ctx.data["unit_code"])
    if unit["code"] == case.unit_code:
        raise InvalidInput("转办单位有误", {"unit_code": ["已是该案件的承办单位"]})
    close_deadlines(ctx.tx, case)
    ctx.values.update(to_unit_name=unit["name_zh"], to_unit_code=unit["code"])
    ctx.emit.update(to_unit_code=unit["code"], routing_seq=case.routing_seq)
    case.unit_code = case.unit_name = None


def _assign(ctx):
    ctx.case.instructions = ctx.data["instructions"]
    ctx.case.report_back_required = True


def _co_handle(ctx):
    case, today = ctx.case, ctx.clocks.today()
    names, deadlines = [], []
    for i, co in enumerate(ctx.data["co_units"]):
        unit = ctx.unit(co["unit_code"], f"co_units.{i}.unit_code")
        if unit["code"] == case.unit_code or _part(ctx.tx, case, unit["code"]) is not None:
            raise InvalidInput("协办单位有误", {f"co_units.{i}.unit_code": ["已是主办或协办单位"]})
        if co["due_date"] < today:
            raise InvalidInput("协办期限有误", {f"co_units.{i}.due_date": ["不能早于今天"]})
        ctx.tx.session.add(CoPart(case_number=case.case_number, unit_code=unit["code"],
                                  unit_name=unit["name_zh"], due=co["due_date"], status="pending"))
        set_deadline(ctx.tx, case, "part", co["due_date"], subject=unit["code"],
                     unit_code=unit["code"])
        names.append(unit["name_zh"])
        deadlines.append(f"{unit['name_zh']}（{co['due_date']}）")
    ctx.tx.session.flush()
    ctx.values.update(co_unit_names="、".join(names), co_unit_deadlines="、".join(deadlines))
    ctx.emit.update(unit_codes=[c["unit_code"] for c in ctx.data["co_units"]], due_date=None)


def _plan(track):
    """专案专办 / 提级办理: the city bureau's plan, coordinating units, own deadline."""
    def effect(ctx):
        case = ctx.case
        if ctx.data["due_date"] < ctx.clocks.today():
            raise InvalidInput("办理期限有误", {"due_date": ["不能早于今天"]})
        names = [ctx.unit(code, f"coordinating_units.{i}")["name_zh"]
                 for i, code in enumerate(ctx.data["coordinating_units"])]
        case.track, case.plan = track, ctx.data["plan"]
        case.coordinating_units = ctx.data["coordinating_units"]
        set_deadline(ctx.tx, case, "conclude", ctx.data["due_date"])
        ctx.values.update(plan_due=ctx.data["due_date"], coordinating_names="、".join(names) or "无")
        ctx.emit.update(unit_codes=ctx.data["coordinating_units"], due_date=ctx.data["due_date"])
    return effect


def _reply(ctx):
    """The lead unit replies once every co-unit's part is in or past its
    deadline; a part that is not in is recorded as late."""
    case, today = ctx.case, ctx.clocks.today()
    pending = ctx.tx.session.scalars(select(CoPart).where(
        CoPart.case_number == case.case_number, CoPart.status == "pending")).all()
    waiting = [p for p in pending if not clock_rules.is_past(p.due, today)]
    if waiting:
        raise Conflict(f"case {case.case_number} waits for co-units' parts: "
                       + ", ".join(f"{p.unit_code} (due {p.due})" for p in waiting))
    for part in pending:
        part.late = True
    case.reply, case.replied_by, case.replied_at = ctx.data["reply"], ctx.actor, ctx.clocks.now()
    close_deadlines(ctx.tx, case, kinds=clock_rules.HANDLING_CLOCKS)
    _review_window(ctx)
    ctx.values["parts_text"] = "".join(f"；{p.unit_name}逾期未提交协办意见（期限{p.due}）"
                                       for p in pending)
    ctx.emit["replied_by"] = ctx.actor


def _review_window(ctx):
    """The petitioner may ask for a review (复查, after the reply) or a re-review
    (复核, after the review's answer) until this clock ends; then the sweep
    closes the matter for good (终结)."""
    clocks = ctx.clocks
    set_deadline(ctx.tx, ctx.case, "review_request",
                 clocks.review_request.due(clocks.calendar, clocks.today()))


def _finalize(ctx):
    ctx.values.update(request_name="复查" if ctx.case.review_state == "none" else "复核",
                      last_day=ctx.data["last_day"])


def _report_back(ctx):
    if not ctx.case.report_back_required:
        raise Conflict(f"case {ctx.case.case_number} was not assigned with a report-back")
    ctx.case.report_back = ctx.data["report"]


def _close(ctx):
    case = ctx.case
    if case.report_back_required and not case.report_back:
        raise Conflict(f"case {case.case_number} is replied; the unit has not reported back "
                       "what it did (交办), so it cannot be closed yet")
    _concluded(ctx)


def _concluded(ctx):
    case = ctx.case
    case.concluded_at = ctx.at
    # on time: concluded (in China's calendar) no later than the due date
    case.on_time = case.due_date is None or local_date(ctx.at) <= case.due_date
    ctx.emit["on_time"] = case.on_time


def _request_extension(ctx):
    case, until = ctx.case, ctx.data["until"]
    latest = clock_rules.latest_extension(case, ctx.clocks)
    if case.due_date is not None and until <= case.due_date:
        raise InvalidInput("延期日期有误", {"until": [f"应晚于现办理期限{case.due_date}"]})
    if until > latest:
        raise InvalidInput("延期日期有误", {"until": [f"最长可延期至{latest}"]})
    case.extension_requested_until, case.extension_reason = until, ctx.data["reason"]
    ctx.emit.update(until=until, reason=ctx.data["reason"])


def _approve_extension(ctx):
    case = ctx.case
    set_deadline(ctx.tx, case, "conclude", case.extension_requested_until)
    case.extended_until = case.extension_requested_until
    ctx.values.update(until=case.extended_until, reason=case.extension_reason)
    ctx.emit.update(until=case.extended_until, reason=case.extension_reason)


def _refuse_extension(ctx):
    ctx.case.extension_requested_until = None


def _submit_part(ctx):
    part, today = ctx.subject, ctx.clocks.today()
    part.content, part.submitted_at = ctx.data["content"], ctx.clocks.now()
    part.late = clock_rules.is_past(part.due, today)
    close_deadlines(ctx.tx, ctx.case, kinds=("part",), subject=part.unit_code)
    ctx.values.update(part_unit_name=part.unit_name, part_due=part.due,
                      late_text="，逾期提交" if part.late else "")


def _supervise(ctx):
    if ctx.data["answer_due"] < ctx.clocks.today():
        raise InvalidInput("答复期限有误", {"answer_due": ["不能早于今天"]})
    _new_order(ctx, ctx.data["kind"], f"信访部门{ORDER_KINDS[ctx.data['kind']]}",
               ctx.data["answer_due"], ctx.data["instructions"])


def _open_supervision(ctx):
    kind, reason = ctx.data["kind"], ctx.data["reason"]
    _new_order(ctx, kind, reason,
               ctx.clocks.supervision_answer.due(ctx.clocks.calendar, ctx.clocks.today()), None)


def _new_order(ctx, kind, reason, answer_due, instructions):
    case = ctx.case
    order = SupervisionOrder(case_number=case.case_number, area_code=case.area_code,
                             unit_code=case.unit_code, kind=kind, status="none", reason=reason,
                             instructions=instructions, answer_due=answer_due,
                             opened_by=ctx.actor, opened_at=ctx.clocks.now())
    ctx.tx.session.add(order)
    ctx.tx.session.flush()
    ctx.subject = order
    case.supervision_open, case.supervision_reason = True, reason
    set_deadline(ctx.tx, case, "supervision_answer", answer_due, subject=order.id)
    ctx.values.update(order_id=order.id, answer_due=answer_due, kind_name=ORDER_KINDS[kind],
                      reason=reason)
    ctx.emit.update(reason=reason, order_id=order.id, kind=kind, answer_due=answer_due)


def _order_step(closes=False, counted=False, new_answer_due=False):
    def effect(ctx):
        order, case = ctx.subject, ctx.case
        close_deadlines(ctx.tx, case, kinds=("supervision_answer",), subject=order.id)
        if "answer" in ctx.data:
            order.answer = ctx.data["answer"]
        if closes:
            order.closed_at = ctx.clocks.now()
            case.supervision_open = False
        if counted:
            order.counted_against_unit = True
        if new_answer_due:
            order.answer_due = ctx.clocks.supervision_answer.due(ctx.clocks.calendar,
                                                                 ctx.clocks.today())
            set_deadline(ctx.tx, case, "supervision_answer", order.answer_due, subject=order.id)
        ctx.values.update(order_id=order.id, answer_due=order.answer_due)
        ctx.emit.update(order_id=order.id, counted_against_unit=order.counted_against_unit)
    return effect


def _return_visit(ctx):
    data = ctx.data
    ctx.values.update(reached_text="已联系到信访人" if data["reached"] else "未联系到信访人",
                      satisfied_text="满意" if data["satisfied"] else "不满意")
    if not data["satisfied"]:
        ctx.then.append(lambda: open_order(ctx.tx, ctx.case, "return_visit",
                                           "回访中群众表示不满意", ctx.clocks))


def _record_check(ctx):
    spot_check_id = ctx.data.get("spot_check_id")
    if spot_check_id is not None:
        check = ctx.tx.session.get(SpotCheck, spot_check_id)
        if check is None or ctx.case.case_number not in check.drawn:
            raise InvalidInput("抽查记录有误", {"spot_check_id": ["该案件不在此次抽查样本中"]})
    ctx.values["check_name"] = "抽查" if ctx.data["kind"] == "spot" else "暗访"


def _request_review(level):
    """复查 by the unit one level up in the directory, 复核 one more level up;
    asked within the profile's limit of the reply (or of the review's answer)."""
    def effect(ctx):
        case, clocks = ctx.case, ctx.clocks
        since = case.replied_at if level == "review" else case.review_answered_at
        last_day = clocks.review_request.due(clocks.calendar, since)
        if clocks.today() > last_day:
            raise Conflict(f"case {case.case_number}: the time to ask for a {level} "
                           f"ended on {last_day}")
        below = case.unit_code if level == "review" else case.reviewing_unit_code
        unit = _one_level_up(ctx, below)
        case.reviewing_unit_code, case.reviewing_unit_name = unit["code"], unit["name_zh"]
        case.review_requested_at = clocks.now()
        close_deadlines(ctx.tx, case, kinds=("review_request",))
        due = clocks.review_answer.due(clocks.calendar, clocks.today())
        set_deadline(ctx.tx, case, "review_answer", due, unit_code=unit["code"])
        ctx.values.update(reviewing_unit_name=unit["name_zh"], review_due=due)
        ctx.emit.update(level=level, reviewing_unit=unit["code"])
    return effect


def _one_level_up(ctx, unit_code):
    """The parent in the directory; at the top, the city's petition bureau."""
    units = ctx.directory()
    parent = units.get(unit_code, {}).get("parent")
    if parent in units:
        return units[parent]
    top = [u for u in units.values() if u["kind"] == "petition_bureau" and not u["parent"]]
    if not top or top[0]["code"] == unit_code:
        raise Conflict(f"no body above {unit_code} in the directory to review the case")
    return top[0]


def _answer_review(level):
    def effect(ctx):
        case = ctx.case
        case.review_answer, case.review_answered_at = ctx.data["opinion"], ctx.clocks.now()
        close_deadlines(ctx.tx, case, kinds=("review_answer",))
        if level == "review":
            _review_window(ctx)
        ctx.emit.update(level=level, reviewing_unit=case.reviewing_unit_code)
    return effect


def _request_material(ctx):
    case, data, today = ctx.case, ctx.data, ctx.clocks.today()
    due = data["due_date"] or ctx.clocks.calendar.add_working_days(today, data["working_days"])
    if due < today:
        raise InvalidInput("补充期限有误", {"due_date": ["不能早于今天"]})
    case.material_request, case.material_due = data["what"], due
    set_deadline(ctx.tx, case, "material", due)
    ctx.values["clock_text"] = _due_text(case)
    ctx.emit["due_date"] = due


def _material_closed(ctx):
    """Answered (the petitioner's file) or lapsed (the sweep): the request's
    clock stops; the case's own clocks were never touched."""
    close_deadlines(ctx.tx, ctx.case, kinds=("material",))
    ctx.values["clock_text"] = _due_text(ctx.case)
    ctx.emit["due_date"] = ctx.case.material_due


EFFECTS = {
    "route": _route, "reject": _reject, "accept": _accept, "decline": _decline,
    "return": _return, "transfer": _transfer, "assign": _assign, "co_handle": _co_handle,
    "special_case": _plan("special_case"), "escalate": _plan("escalated"), "reply": _reply,
    "report_back": _report_back, "close": _close, "conclude": _concluded,
    "request_extension": _request_extension, "approve_extension": _approve_extension,
    "refuse_extension": _refuse_extension, "submit_part": _submit_part,
    "supervise": _supervise, "open_supervision": _open_supervision,
    "answer_supervision": _order_step(), "close_supervision": _order_step(closes=True),
    "send_back_supervision": _order_step(new_answer_due=True),
    "escalate_supervision": _order_step(), "supervision_overdue": _order_step(counted=True),
    "return_visit": _return_visit, "record_check": _record_check,
    "request_review": _request_review("review"), "request_rereview": _request_review("rereview"),
    "answer_review": _answer_review("review"), "answer_rereview": _answer_review("rereview"),
    "finalize": _finalize, "request_material": _request_material,
    "material_answered": _material_closed, "material_lapsed": _material_closed,
}
assert set(EFFECTS) == set(STEPS), "every workflow step needs its effect (or _nothing)"


def system_step(tx, case, action, data, clocks):
    """A step the platform takes (the sweep): same mechanism, no actor."""
    return _run(tx, case, *STEPS[action], data, None, clocks)

