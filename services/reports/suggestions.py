"""People's suggestions (人民建议征集) as figures: the suggestions service's
public ``suggestion_step`` events projected per topic, department, area and
day, the one home of these figures (the suggestions service keeps none).

The same shape as a case's projection (projections.py): a step only fills in
the proposal's fact row (``ProposalFact.steps``: when each measure happened);
``contributions`` lists what the proposal adds to which counter, and
``project`` applies the difference before and after the step. So steps may
arrive in any order, a proposal's earlier counts move to its department once
it is forwarded, and a rebuild that replays the archive ends with the same
counters.

Measures, each counted on the day of its step (China's calendar) under the
proposal's topic, its department ("" until it is forwarded) and its area:

    received           submit
    accepted           accept       the bureau took it up (受理)
    merged             merge        handled with a similar one (合并办理)
    declined           decline      the bureau's 不予采纳, with the reason
    forwarded          forward      sent to the department (转交部门)
    adopted            adopt        the department's answer: adopted (采纳)
    dept_not_adopted   not_adopt    the department's answer: not adopted
    published          publish      published, masked, with the answer (公开)
    answered           adopt or not_adopt
    answer_timed       ... of a proposal whose submission is known
    answer_days        ... working days from submission to the answer, summed

A step this table does not name (a step added to the suggestions' workflow
later) is archived and counts nothing; a row added here and a rebuild count
it from the archive.
"""
from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func, select

from core.calendar import local_date
from core.roles import jurisdiction_prefix
from services.reports import counters
from services.reports.models import ProposalFact, SuggestionCount, SuggestionTopic, UnitName
from services.reports.schemas import resolve_period

RECEIVED, ACCEPTED, MERGED, DECLINED = "received", "accepted", "merged", "declined"
FORWARDED, ADOPTED, DEPT_NOT_ADOPTED = "forwarded", "adopted", "dept_not_adopted"
PUBLISHED, ANSWERED, ANSWER_TIMED, ANSWER_DAYS = (
    "published", "answered", "answer_timed", "answer_days")
# a step of the suggestions' workflow (services/suggestions/workflow.py, and
# "submit") -> the measure it counts
STEP_MEASURES = {"submit": RECEIVED, "accept": ACCEPTED, "merge": MERGED, "decline": DECLINED,
                 "forward": FORWARDED, "adopt": ADOPTED, "not_adopt": DEPT_NOT_ADOPTED,
                 "publish": PUBLISHED}
ANSWERS = (ADOPTED, DEPT_NOT_ADOPTED)
COUNTER_KEY = ("day", "topic_id", "department", "area_code", "measure")
NO_TOPIC = 0  # the counters' topic of proposals made under no topic
# what a rebuild empties and fills again from the archive
TABLES = (ProposalFact, SuggestionCount, SuggestionTopic)

METHOD = {
    "received": "收到 = 期内提交的建议件数",
    "not_adopted": "未采纳 = 期内经审查不予采纳的 + 部门答复不采纳的件数",
    "answered": "部门答复 = 期内部门答复（采纳或不采纳）的件数",
    "adoption_rate": "采纳率 = 期内部门答复采纳的件数 / 期内部门答复的件数",
    "answer_days_avg": "平均答复用时 = 从提交到部门答复的工作日数的平均值（期内答复的建议）",
    "by": "按建议的征集主题和承办部门统计；转交前的步骤也计入其后承办的部门",
}


def project(tx, settings, contract, event):
    """A step of a proposal: note when its measure happened, keep the topic's
    title, and change the counters by what the proposal now adds."""
    fact = tx.session.get(ProposalFact, event["number"], with_for_update=True)
    if fact is None:
        fact = ProposalFact(number=event["number"], area_code=event["area_code"],
                            topic_id=event["topic_id"], steps={})
        tx.session.add(fact)
    if event.get("topic_id") and event.get("topic_title"):
        tx.session.merge(SuggestionTopic(id=event["topic_id"], title=event["topic_title"]))
    before = contributions(fact, settings.calendar)
    fact.department = event["department"] or fact.department
    measure = STEP_MEASURES.get(event["action"])
    if measure:
        fact.steps = {**fact.steps, measure: event["occurred_at"].isoformat()}
    changes = Counter(contributions(fact, settings.calendar))
    changes.subtract(before)
    counters.apply(tx, SuggestionCount, Counter(
        {tuple(zip(COUNTER_KEY, key)): change for key, change in changes.items()}))


def contributions(fact, calendar):
    """What this proposal adds to which counter: {COUNTER_KEY tuple: n}."""
    counts = Counter()
    where = (fact.topic_id or NO_TOPIC, fact.department or "", fact.area_code)
    at = {measure: datetime.fromisoformat(when) for measure, when in fact.steps.items()}
    for measure, when in at.items():
        counts[(local_date(when), *where, measure)] += 1
    for answer in ANSWERS:
        if answer in at:
            day = local_date(at[answer])
            counts[(day, *where, ANSWERED)] += 1
            if RECEIVED in at:
                counts[(day, *where, ANSWER_TIMED)] += 1
                counts[(day, *where, ANSWER_DAYS)] += calendar.working_days_between(
                    local_date(at[RECEIVED]), day)
    return counts


# --- figures ---------------------------------------------------------------------

def figures(tx, query, today):
    """Per topic and per department for a checked SuggestionFigureQuerySchema
    query: every topic with a proposal counted in the period (``key`` None:
    made under no topic), every department one was forwarded to."""
    start, end = resolve_period(query, today)
    conditions = [SuggestionCount.day.between(start, end)]
    if query["topic"]:
        conditions.append(SuggestionCount.topic_id == query["topic"])
    if query["department"]:
        conditions.append(SuggestionCount.department == query["department"])
    if query["area_code"]:
        conditions.append(SuggestionCount.area_code.startswith(
            jurisdiction_prefix(query["area_code"])))
    by_topic, by_department = defaultdict(Counter), defaultdict(Counter)
    for topic, department, measure, value in tx.session.execute(
            select(SuggestionCount.topic_id, SuggestionCount.department,
                   SuggestionCount.measure, func.sum(SuggestionCount.value))
            .where(*conditions).group_by(SuggestionCount.topic_id, SuggestionCount.department,
                                         SuggestionCount.measure)):
        by_topic[topic][measure] += value
        if department:
            by_department[department][measure] += value
    titles = dict(tx.session.execute(select(SuggestionTopic.id, SuggestionTopic.title)
                                     .where(SuggestionTopic.id.in_(list(by_topic)))).all())
    units = dict(tx.session.execute(select(UnitName.code, UnitName.name)
                                    .where(UnitName.code.in_(list(by_department)))).all())
    return {"from": start.isoformat(), "to": end.isoformat(), "method": METHOD,
            "topics": [figure_row(None if topic == NO_TOPIC else str(topic), titles.get(topic),
                                  by_topic[topic])
                       for topic in sorted(by_topic, key=lambda t: (t == NO_TOPIC, t))],
            "departments": [figure_row(code, units.get(code), by_department[code])
                            for code in sorted(by_department)]}


def figure_row(key, name, sums):
    answered = sums[ANSWERED]
    return {"key": key, "name": name, "received": sums[RECEIVED], "accepted": sums[ACCEPTED],
            "merged": sums[MERGED], "declined": sums[DECLINED], "forwarded": sums[FORWARDED],
            "answered": answered, "adopted": sums[ADOPTED],
            "not_adopted": sums[DECLINED] + sums[DEPT_NOT_ADOPTED], "published": sums[PUBLISHED],
            "adoption_rate": round(sums[ADOPTED] / answered, 4) if answered else None,
            "answer_days_avg": (round(sums[ANSWER_DAYS] / sums[ANSWER_TIMED], 2)
                                if sums[ANSWER_TIMED] else None)}
