"""The case's workflows as data: where a step of the bureau's case work belongs.

One table per workflow; each row (a ``Step``) says which states it may start
from, the state it leads to (None: it leaves the state as it is), who may take
it, the event it emits (its contract is in core/events.py), what the public
timeline says and what the staff timeline adds. ``cases.act`` runs every row
the same way (check who, load the input, ``_move``, apply the step's effect,
write the timeline, emit the event); an illegal move is one Conflict (409)
naming the state. The tracking schemas, the gateway's routes and enums and the
OpenAPI document read these tables: a new step is a row here and its effect.

Each workflow keeps its state in one place (``state_of``):

    handling      the case's status                  受理 / 不予受理 / 转办 / 交办 / 协办 / 答复 / 办结
    extension     the case's extension_state         延期: asked, approved or refused (once)
    co_handling   each co-unit's part (status)       协办: a co-unit's part, by its own deadline
    supervision   the case's current order (status)  督办单: opened, answered, closed, sent back, escalated
    checks        none (a record beside the state)   回访, 抽查, 暗访
    review        the case's review_state            复查, 复核, 终结
    material      the case's material_state          补充材料: asked, answered or lapsed

Rows whose ``who`` is ``system`` are taken on an event or by the sweep, never
by a request; ``petitioner`` rows by the petitioner with the query code.
Timeline texts are ``str.format`` templates over the case's columns, the
step's input and what its effect adds (e.g. ``{unit_name}``, ``{reason}``).

A public text has its English beside it in the same row (``public_en``), and
the timeline entries that are no step have theirs in NOTES: this module is the
one home of what the public timeline says, in both languages (english()).
"""
from dataclasses import dataclass

from core import events
from core.events import SUBMITTED
from core.roles import BUREAU_ROLES, UNIT_ROLES


@dataclass(frozen=True)
class Who:
    """Who may take a step: a role and the relation of the actor's unit to the case."""

    roles: frozenset
    relation: str   # assigned_unit | jurisdiction | city_bureau | co_unit | reviewing_unit
    name_zh: str


WHO = {
    "unit": Who(UNIT_ROLES, "assigned_unit", "承办单位"),
    "bureau": Who(BUREAU_ROLES, "jurisdiction", "信访部门"),
    "city_bureau": Who(BUREAU_ROLES, "city_bureau", "市信访局"),
    "co_unit": Who(UNIT_ROLES, "co_unit", "协办单位"),
    "reviewing_unit": Who(UNIT_ROLES | BUREAU_ROLES, "reviewing_unit", "复查（复核）机关"),
    "petitioner": Who(frozenset(), "petitioner", "信访人"),
    "system": Who(frozenset(), "system", "系统"),
}


@dataclass(frozen=True)
class Step:
    action: str
    name_zh: str
    from_states: frozenset
    to_state: str | None
    who: str
    event: object                     # core.events.Contract: emitted, or applied (another service's)
    public: str | None                # public timeline text; None: staff only
    staff: str                        # what staff see besides
    body: str | None = None           # its input schema's name in services/tracking/schemas.py
    case_states: frozenset | None = None  # for the workflows beside handling: the case's status
    tells_petitioner: bool = False    # notify sends an SMS on the event
    public_en: str | None = None      # the public text in English (no values: see english())


@dataclass(frozen=True)
class Workflow:
    name: str
    state_of: str     # "case.status" | "case.extension_state" | "part" | "order" | "case.review_state" | "none"
    steps: tuple

    @property
    def states(self):
        found = []
        for step in self.steps:
            for state in sorted(step.from_states) + [step.to_state]:
                if state is not None and state not in found:
                    found.append(state)
        return tuple(found)


def _s(*states):
    return frozenset(states)


# Before a reply the unit's clock runs; a rating for a case still here is early.
BEFORE_REPLY = _s(SUBMITTED, "routed", "accepted", "returned", "transferring")
HANDLING_OPEN = _s("routed", "accepted")

HANDLING = Workflow("handling", "case.status", (
    Step("route", "分派", _s(SUBMITTED, "routed", "returned", "transferring"), "routed",
         "system", events.PETITION_ROUTED,
         "{assigned_text}至{unit_name}办理（{track_name}，{due_text}）",
         "分派理由：{routing_reason}",
         public_en="The case was assigned to the responsible unit, with its deadline"),
    Step("reject", "不予受理（分派时）", _s(SUBMITTED), "rejected", "system",
         events.PETITION_REJECTED, "不予受理：{reason}。请通过以下途径解决：{channel}", "{reason}",
         public_en="Not accepted as a petition: the reason and where to turn are given"),
    Step("accept", "受理", _s("routed"), "accepted", "unit", events.CASE_ACCEPTED,
         "{unit_name}已受理", "受理人{actor}{late_text}",
         public_en="The responsible unit accepted the case"),
    Step("decline", "不予受理", _s("routed"), "declined", "unit", events.CASE_DECLINED,
         "{unit_name}决定不予受理：{reason}", "经办人{actor}", "ReasonSchema",
         tells_petitioner=True,
         public_en="The responsible unit declined to accept the case, giving its reason"),
    Step("return", "退回", HANDLING_OPEN, "returned", "unit", events.CASE_RETURNED,
         "{unit_name}退回，等待重新分派", "退回理由：{reason}（{actor}）", "ReasonSchema",
         public_en="The unit returned the case; it is being assigned again"),
    # not from returned: routing is already choosing the next unit
    Step("transfer", "转办", HANDLING_OPEN, "transferring", "bureau",
         events.CASE_TRANSFERRED, "信访部门已将事项转办至{to_unit_name}",
         "{actor}转办至{to_unit_name}（{to_unit_code}）：{note}", "TransferSchema",
         public_en="The petition office transferred the case to another unit"),
    Step("assign", "交办", HANDLING_OPEN, None, "bureau", events.CASE_ASSIGNED,
         "信访部门已交办{unit_name}，要求报告办理结果", "{actor}交办要求：{instructions}",
         "AssignSchema",
         public_en="The petition office assigned the case, asking the unit to report the result"),
    Step("co_handle", "协办", HANDLING_OPEN, None, "bureau", events.CO_HANDLING_OPENED,
         "由{unit_name}主办，{co_unit_names}协办",
         "{actor}确定协办单位及期限：{co_unit_deadlines}", "CoHandleSchema",
         public_en="The case is handled by a lead unit with co-handling units"),
    Step("special_case", "专案专办", HANDLING_OPEN, None, "city_bureau", events.CASE_SPECIAL,
         "市信访局决定专案专办，办理期限{plan_due}", "{actor}方案：{plan}；协调单位：{coordinating_names}",
         "PlanSchema", tells_petitioner=True,
         public_en="The city petition bureau made it a special case, with its own deadline"),
    Step("escalate", "提级办理", HANDLING_OPEN, None, "city_bureau", events.CASE_ESCALATED,
         "市信访局决定提级办理，办理期限{plan_due}", "{actor}方案：{plan}；协调单位：{coordinating_names}",
         "PlanSchema", tells_petitioner=True,
         public_en="The city petition bureau took the case up a level, with its own deadline"),
    Step("reply", "答复", _s("accepted"), "replied", "unit", events.CASE_REPLIED,
         "{unit_name}已答复", "答复人{actor}{parts_text}", "ReplySchema",
         tells_petitioner=True,
         public_en="The responsible unit replied"),
    Step("report_back", "报告办理结果", _s("replied", "concluded"), None, "unit",
         events.CASE_REPORTED_BACK, "{unit_name}已向信访部门报告办理结果", "{actor}报告：{report}",
         "ReportSchema",
         public_en="The unit reported the result to the petition office"),
    Step("close", "办结", _s("replied"), "concluded", "bureau", events.CASE_CONCLUDED,
         "信访部门审核后办结", "{actor}审核办结",
         public_en="Concluded after the petition office's review"),
    Step("conclude", "办结（评价）", _s("replied"), "concluded", "system", events.CASE_CONCLUDED,
         "群众已评价，信访事项已办结", "评价满意或基本满意",
         public_en="Rated by the petitioner; the case is concluded"),
))

EXTENSION = Workflow("extension", "case.extension_state", (
    Step("request_extension", "申请延期", _s("none", "refused"), "requested", "unit",
         events.EXTENSION_REQUESTED, None, "{actor}申请延期至{until}：{reason}",
         "ExtensionRequestSchema", case_states=_s("accepted")),
    Step("approve_extension", "批准延期", _s("requested"), "approved", "bureau",
         events.EXTENSION_APPROVED, "经批准延期至{until}，理由：{reason}", "{actor}批准",
         case_states=_s("accepted"), tells_petitioner=True,
         public_en="An extension of the deadline was approved, with its reason"),
    Step("refuse_extension", "不批准延期", _s("requested"), "refused", "bureau",
         events.EXTENSION_REFUSED, None, "{actor}不批准延期：{reason}；办理期限仍为{due_date}",
         "ReasonSchema", case_states=_s("accepted")),
))

CO_HANDLING = Workflow("co_handling", "part", (
    Step("submit_part", "提交协办意见", _s("pending"), "submitted", "co_unit",
         events.CO_PART_SUBMITTED, "{part_unit_name}已提交协办意见",
         "{actor}提交（期限{part_due}{late_text}）：{content}", "PartSchema",
         case_states=HANDLING_OPEN,
         public_en="A co-handling unit gave its opinion"),
))

SUPERVISION = Workflow("supervision", "order", (
    Step("supervise", "督办", _s("none", "closed"), "open", "bureau", events.SUPERVISION_OPENED,
         "信访部门已启动督办", "{actor}{kind_name}：{instructions}；答复期限{answer_due}",
         "SuperviseSchema",
         public_en="The petition office started supervising the case"),
    Step("open_supervision", "自动督办", _s("none", "closed"), "open", "system",
         events.SUPERVISION_OPENED, "{reason}，已启动督办", "督办单{order_id}，答复期限{answer_due}",
         public_en="Supervision started automatically"),
    Step("answer_supervision", "督办答复", _s("open"), "answered", "unit",
         events.SUPERVISION_ANSWERED, "{unit_name}已答复督办", "{actor}答复：{answer}",
         "AnswerSchema",
         public_en="The unit answered the supervision"),
    Step("close_supervision", "督办办结", _s("answered", "escalated"), "closed", "bureau",
         events.SUPERVISION_CLOSED, "督办事项已办结", "{actor}：{note}", "NoteSchema",
         public_en="The supervision was closed"),
    Step("send_back_supervision", "督办退回重办", _s("answered"), "open", "bureau",
         events.SUPERVISION_SENT_BACK, None, "{actor}退回重办：{note}；新答复期限{answer_due}",
         "NoteSchema"),
    Step("escalate_supervision", "督办升级", _s("open", "answered"), "escalated", "bureau",
         events.SUPERVISION_ESCALATED, "督办已升级", "{actor}升级：{note}", "NoteSchema",
         public_en="The supervision was escalated"),
    Step("supervision_overdue", "督办逾期升级", _s("open"), "escalated", "system",
         events.SUPERVISION_ESCALATED, "督办已升级",
         "督办单{order_id}逾期未答复（期限{answer_due}），已升级并计入{unit_name}考核",
         public_en="The supervision was escalated"),
))

CHECKS = Workflow("checks", "none", (
    Step("return_visit", "回访", _s(), None, "bureau", events.RETURN_VISIT_RECORDED,
         "信访部门已电话回访", "{actor}回访：{reached_text}；群众意见：{view}；{satisfied_text}",
         "ReturnVisitSchema", case_states=_s("replied", "concluded"),
         public_en="The petition office called the petitioner back"),
    Step("record_check", "抽查/暗访", _s(), None, "bureau", events.CHECK_RECORDED,
         None, "{actor}{check_name}结论：{finding}", "CheckSchema",
         case_states=_s("replied", "concluded")),
))

REVIEW = Workflow("review", "case.review_state", (
    Step("request_review", "申请复查", _s("none"), "review_requested", "petitioner",
         events.REVIEW_REQUESTED, "信访人申请复查，由{reviewing_unit_name}办理，期限{review_due}",
         "复查理由：{reason}", "ReasonSchema", case_states=_s("replied", "concluded"),
         public_en="The petitioner asked for a review; the reviewing office and its deadline are set"),
    Step("answer_review", "复查意见", _s("review_requested"), "reviewed", "reviewing_unit",
         events.REVIEW_ANSWERED, "{reviewing_unit_name}已作出复查意见：{opinion}", "{actor}",
         "OpinionSchema", tells_petitioner=True,
         public_en="The review was answered"),
    Step("request_rereview", "申请复核", _s("reviewed"), "rereview_requested", "petitioner",
         events.REVIEW_REQUESTED, "信访人申请复核，由{reviewing_unit_name}办理，期限{review_due}",
         "复核理由：{reason}", "ReasonSchema",
         public_en="The petitioner asked for a re-review; the reviewing office and its deadline are set"),
    Step("answer_rereview", "复核意见", _s("rereview_requested"), "final", "reviewing_unit",
         events.REVIEW_ANSWERED, "{reviewing_unit_name}已作出复核意见：{opinion}。该信访事项终结",
         "{actor}", "OpinionSchema", tells_petitioner=True,
         public_en="The re-review was answered; the matter is closed for good"),
    Step("finalize", "终结", _s("none", "reviewed"), "final", "system", events.CASE_FINAL,
         "{request_name}申请期限（{last_day}）已过，该信访事项终结", "未在期限内申请{request_name}",
         public_en="The time to ask for a review passed; the matter is closed for good"),
))

# 补充材料: the unit asks the petitioner for material by a date. It pauses no
# clock (the texts say so); the petitioner's next file answers it (intake's
# material_added), or the sweep records that the date passed. Asked again while
# open, the new request replaces the old one (a new unit after a re-route may ask).
MATERIAL = Workflow("material", "case.material_state", (
    Step("request_material", "要求补充材料", _s("none", "requested", "answered", "lapsed"),
         "requested", "unit", events.MATERIAL_REQUESTED,
         "{unit_name}请信访人于{material_due}前补充材料；补充期间{clock_text}不变",
         "{actor}要求补充：{material_request}（补充期限{material_due}；{clock_text}不变）",
         "MaterialRequestSchema", case_states=HANDLING_OPEN, tells_petitioner=True,
         public_en="The unit asked the petitioner for material by a date; the case's deadline does not change"),
    Step("material_answered", "已补充材料", _s("requested"), "answered", "system",
         events.MATERIAL_REQUEST_ANSWERED, "信访人已按要求补充材料",
         "补充期限{material_due}内补充；所要材料：{material_request}",
         public_en="The petitioner sent the material asked for"),
    Step("material_lapsed", "补充材料逾期", _s("requested"), "lapsed", "system",
         events.MATERIAL_REQUEST_LAPSED, "补充材料期限（{material_due}）已过，信访人未补充；{clock_text}不变",
         "所要材料：{material_request}",
         public_en="The date for the material passed without it; the case's deadline does not change"),
))

# The public timeline's entries that are no step of a workflow: what tracking
# notes on another service's event (a submission, a file, a message) or the
# sweep on a deadline; kind: (Chinese text, its English). The Chinese is what
# is stored; ``{clock_name}`` and ``{reason}`` are filled in by the writer.
NOTES = {
    SUBMITTED: ("信访事项已提交", "The petition was submitted"),
    "material": ("信访人补充了材料", "The petitioner added material"),
    "unit_material": ("办理单位添加了材料", "The handling unit added material"),
    "message": ("信访人留言", "The petitioner left a message"),
    "message_answer": ("办理单位答复了留言", "The handling unit answered a message"),
    "overdue": ("{clock_name}已超期", "A deadline was missed"),
    "supervision_reason_added": ("{reason}，纳入督办", "A further reason was added to the supervision"),
}

WORKFLOWS = (HANDLING, EXTENSION, CO_HANDLING, SUPERVISION, CHECKS, REVIEW, MATERIAL)
STEPS = {step.action: (workflow, step) for workflow in WORKFLOWS for step in workflow.steps}
STAFF_ACTIONS = tuple(a for a, (_, s) in STEPS.items() if s.who not in ("system", "petitioner"))
PETITIONER_ACTIONS = tuple(a for a, (_, s) in STEPS.items() if s.who == "petitioner")
STATUSES = HANDLING.states
assert len(STEPS) == sum(len(w.steps) for w in WORKFLOWS), "an action name is used twice"
assert all((s.public is None) == (s.public_en is None) for _, s in STEPS.values()), \
    "a public timeline text without its English, or English without a public text"
assert not set(NOTES) & set(STEPS), "a note's kind is a step's action"


def english(kind):
    """The English of a public timeline entry by its kind (a step's action or a
    note's kind), or None. Why English is by kind, with no values: the Chinese
    is written once, when the step is taken, from values some of which are
    Chinese words themselves (a unit's name, a track, a reason typed by staff),
    and it is the record; the English tells what happened and a page shows the
    Chinese record beside it."""
    if kind in STEPS:
        return STEPS[kind][1].public_en
    return NOTES[kind][1] if kind in NOTES else None
