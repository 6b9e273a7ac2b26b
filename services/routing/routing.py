"""Which unit handles a petition, on which track, due when; and what happens
when a unit returns it (退回).

Routing is data: a rule (category, area) names the unit and the track. A
petition's area is walked up the hierarchy (town -> district -> city) and the
most specific rule wins; with no rule, the petition bureau of the most specific
area that has one takes the case on the category's default track. A unit that
returned a case is not chosen for it again, except the city bureau, which is
where an escalation ends when every other unit has returned it.
"""
from dataclasses import dataclass

from sqlalchemy import select

from core import events
from core.errors import NotFound
from services.routing import directory
from services.routing.models import Assignment, AssignmentReturn, RoutingRule, Unit
from services.routing.schemas import AssignmentSchema

ESCALATED = "escalated"


class NotRoutedYet(RuntimeError):
    """A case_returned for a case this service never routed: raised so the
    message is retried (it may be early) and finally parked."""


@dataclass(frozen=True)
class Choice:
    unit: Unit
    track: str
    reason: str


def resolve(session, category, chain, excluded=frozenset(), track=None):
    """The unit for ``category`` in the area ``chain`` (most specific first),
    skipping ``excluded`` units; ``track`` overrides the rule's own. None when
    every candidate is excluded."""
    for area in chain:
        rule = session.scalars(select(RoutingRule).where(
            RoutingRule.category == category.code, RoutingRule.area_code == area.code)).first()
        if rule is not None and rule.unit_code not in excluded:
            unit = session.get(Unit, rule.unit_code)
            return Choice(unit, track or rule.track,
                          f"按分派规则（{category.name_zh}·{area.name_zh}）交{unit.name_zh}办理")
    for area in chain:
        bureau = directory.petition_bureau(session, area.code)
        if bureau is not None and bureau.code not in excluded:
            return Choice(bureau, track or category.default_track,
                          f"无适用的分派规则，交{area.name_zh}信访部门{bureau.name_zh}办理")
    return None


def escalate(session, chain, excluded):
    """One level up: the petition bureau of the parent area (or the next one up
    that has not returned the case); the city bureau at the top takes it in any case."""
    for area in chain[1:]:
        bureau = directory.petition_bureau(session, area.code)
        if bureau is not None and bureau.code not in excluded:
            return bureau
    return directory.petition_bureau(session, chain[-1].code)


def route_petition(tx, event, schedule):
    """petition_submitted -> petition_routed (routing_seq 1) or petition_rejected."""
    session = tx.session
    if session.get(Assignment, event["case_number"]) is not None:
        return  # already routed: a second petition_submitted for the case changes nothing
    category = directory.category(session, event["category"])
    chain = directory.area_chain(session, event["area_code"])
    assignment = Assignment(case_number=event["case_number"], category=category.code,
                            area_code=chain[0].code)
    if category.rejection_reason:
        assignment.status, assignment.routing_seq = "rejected", 0
        assignment.reason, assignment.channel = category.rejection_reason, category.rejection_channel
        session.add(assignment)
        tx.emit(events.PETITION_REJECTED, case_number=assignment.case_number,
                area_code=assignment.area_code, unit_code=None,
                reason=assignment.reason, channel=assignment.channel)
        return
    choice = resolve(session, category, chain)
    if choice is None:
        raise directory.DirectoryMismatch(f"no petition bureau above area {chain[0].code}")
    session.add(assignment)
    _assign(tx, assignment, choice, schedule.due_date(choice.track, event["submitted_at"]),
            routing_seq=1)


def reroute_after_return(tx, event, schedule):
    """case_returned -> petition_routed with the next routing_seq. The first
    return goes to the next candidate on the same track; a second one escalates
    the case one level up. A return for an older routing is stale and ignored."""
    session = tx.session
    assignment = session.get(Assignment, event["case_number"])
    if assignment is None:
        raise NotRoutedYet(f"case {event['case_number']} was never routed here")
    if assignment.status != "routed" or event["routing_seq"] != assignment.routing_seq:
        return
    returning = session.get(Unit, assignment.unit_code)
    session.add(AssignmentReturn(
        case_number=assignment.case_number, routing_seq=assignment.routing_seq,
        unit_code=returning.code, reason=event["reason"], returned_at=event["occurred_at"]))
    session.flush()
    returns = session.scalars(select(AssignmentReturn).where(
        AssignmentReturn.case_number == assignment.case_number)).all()
    excluded = {r.unit_code for r in returns}
    category = directory.category(session, assignment.category)
    chain = directory.area_chain(session, assignment.area_code)

    why = f"{returning.name_zh}退回（{event['reason']}）"
    choice = None
    if len(returns) == 1:
        choice = resolve(session, category, chain, excluded, track=assignment.track)
        if choice is not None:
            choice = Choice(choice.unit, choice.track, f"{why}，{choice.reason}")
    if choice is None:
        bureau = escalate(session, chain, excluded)
        choice = Choice(bureau, ESCALATED,
                        f"{why}，已被退回{len(returns)}次，升级交{bureau.name_zh}协调办理")
    _assign(tx, assignment, choice, schedule.due_date(choice.track, event["occurred_at"]),
            routing_seq=assignment.routing_seq + 1)


def reroute_after_transfer(tx, event, schedule):
    """case_transferred (转办): the bureau named the unit; this assignment
    follows it (routing's record stays the truth) and the case is routed there
    with the next routing_seq, the track kept. A transfer of an older routing
    is stale and ignored."""
    assignment = tx.session.get(Assignment, event["case_number"])
    if assignment is None:
        raise NotRoutedYet(f"case {event['case_number']} was never routed here")
    if assignment.status != "routed" or event["routing_seq"] != assignment.routing_seq:
        return
    unit = tx.session.get(Unit, event["to_unit_code"])
    if unit is None:
        raise directory.DirectoryMismatch(f"unknown unit {event['to_unit_code']}")
    choice = Choice(unit, assignment.track, f"信访部门转办，交{unit.name_zh}办理")
    _assign(tx, assignment, choice, schedule.due_date(choice.track, event["occurred_at"]),
            routing_seq=assignment.routing_seq + 1)


def _assign(tx, assignment, choice, due_date, routing_seq):
    assignment.status = "routed"
    assignment.unit_code, assignment.track = choice.unit.code, choice.track
    assignment.due_date, assignment.reason = due_date, choice.reason
    assignment.routing_seq = routing_seq
    tx.emit(events.PETITION_ROUTED, case_number=assignment.case_number,
            area_code=assignment.area_code, unit_code=choice.unit.code,
            unit_name=choice.unit.name_zh, category=assignment.category, track=choice.track,
            due_date=due_date, reason=choice.reason, routing_seq=routing_seq)


def assignment(tx, case_number):
    found = tx.find(Assignment, case_number)
    if found is None:
        raise NotFound("未找到该案件的分派信息")
    unit = tx.session.get(Unit, found.unit_code) if found.unit_code else None
    view = AssignmentSchema().dump(found)
    view["unit_name"] = unit.name_zh if unit else None
    return view
