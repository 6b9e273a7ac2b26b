"""The public list of concluded cases (公开): what was asked about (category),
where, which unit handled it, the handling timeline and the ratings. Masked
of all personal data by construction: the store holds none (no title, no
petitioner; the events carry none). A case is not listed when the petitioner
opted out at submission, or when staff withheld it with a recorded reason.

The reply's text is not in the public events (it may name people): the list
shows when the unit replied, not what it said.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from core.config import LOCAL_TIME
from core.errors import NotFound
from core.roles import jurisdiction_prefix
from core.validation import load
from services.reports.access import in_jurisdiction
from services.reports.models import CaseFact, UnitName, WithheldCase
from services.reports.schemas import (
    CaseNumbersSchema,
    OpenDataQuerySchema,
    PublishedQuerySchema,
    WithholdSchema,
    resolve_period,
)

# (CaseFact attribute, the timeline step as the public reads it, its English)
TIMELINE = (("submitted_at", "提交", "Submitted"), ("routed_at", "分派", "Assigned to the unit"),
            ("accepted_at", "受理", "Accepted"), ("replied_at", "答复", "Replied"),
            ("rated_at", "评价", "Rated"), ("concluded_at", "办结", "Concluded"))


def published_cases(tx, query, today):
    query = load(PublishedQuerySchema(), query or {})
    start, end, rows = _published(tx, query, today, paged=True)
    return {"from": start.isoformat(), "to": end.isoformat(), "limit": query["limit"],
            "offset": query["offset"], "cases": [public_case(fact, name) for fact, name in rows]}


def open_data(tx, query, today):
    """The anonymised open-data rows of the cases concluded in the period: no
    case number, days instead of moments, the handling time in working days."""
    query = load(OpenDataQuerySchema(), query or {})
    start, end, rows = _published(tx, query, today, paged=False)
    return [{"category": fact.category, "area_code": fact.area_code, "unit_code": fact.unit_code,
             "unit_name": name, "track": fact.track, "channel": fact.channel,
             **{f"{attribute[:-3]}_on": _day(getattr(fact, attribute))
                for attribute, _, _ in TIMELINE},
             "on_time": fact.on_time, **(fact.rating or {})} for fact, name in rows]


def _published(tx, query, today, paged):
    """(first day, last day, [(fact, unit name)]) of the listed cases."""
    start, end = resolve_period(query, today)
    conditions = [
        CaseFact.concluded_at >= _start_of(start), CaseFact.concluded_at < _start_of(
            end + timedelta(days=1)),
        CaseFact.publish.is_(True),
        CaseFact.case_number.not_in(select(WithheldCase.case_number)),
    ]
    if query["unit_code"]:
        conditions.append(CaseFact.unit_code == query["unit_code"])
    if query["area_code"]:
        conditions.append(CaseFact.area_code.startswith(jurisdiction_prefix(query["area_code"])))
    if query["category"]:
        conditions.append(CaseFact.category == query["category"])
    listed = (select(CaseFact, UnitName.name)
              .outerjoin(UnitName, UnitName.code == CaseFact.unit_code).where(*conditions)
              .order_by(CaseFact.concluded_at.desc(), CaseFact.case_number))
    if paged:
        listed = listed.limit(query["limit"]).offset(query["offset"])
    return start, end, tx.session.execute(listed).all()


def is_listed(tx, fact):
    """Whether a case is on the public list: the conditions of ``_published``
    (but the period's), for one case (the similar-case index follows it)."""
    return bool(fact.concluded_at and fact.publish
                and tx.session.get(WithheldCase, fact.case_number) is None)


def withheld_among(tx, case_numbers):
    """Which of ``case_numbers`` staff withheld from the public: other public
    lists (Open311's, built on tracking's cases) leave them out too."""
    numbers = load(CaseNumbersSchema(), {"case_numbers": case_numbers})["case_numbers"]
    return sorted(tx.session.scalars(select(WithheldCase.case_number).where(
        WithheldCase.case_number.in_(numbers))))


def withhold(tx, case_number, reason, actor):
    """A bureau (``actor``, checked) withholds a case in its jurisdiction from
    the public list, saying why; outside it the case does not exist. Returns
    (the answer, the case's fact row)."""
    reason = load(WithholdSchema(), {"reason": reason})["reason"]
    fact = tx.find(CaseFact, case_number)
    if fact is None or not in_jurisdiction(fact.area_code, actor):
        raise NotFound(f"case {case_number} not found")
    tx.session.merge(WithheldCase(case_number=case_number, reason=reason,
                                  withheld_by=actor["username"]))
    tx.session.flush()
    return {"case_number": case_number, "withheld": True, "reason": reason}, fact


def public_case(fact, unit_name):
    return {
        "case_number": fact.case_number, "category": fact.category, "area_code": fact.area_code,
        "unit_code": fact.unit_code, "unit_name": unit_name, "track": fact.track,
        "on_time": fact.on_time,
        "timeline": [{"step": label, "step_en": english, "at": getattr(fact, attribute)
                      .astimezone(LOCAL_TIME).isoformat(timespec="minutes")}
                     for attribute, label, english in TIMELINE if getattr(fact, attribute)],
        "rating": fact.rating,
    }


def _day(moment):
    return moment and moment.astimezone(LOCAL_TIME).date().isoformat()


def _start_of(day):
    return datetime.combine(day, time(), tzinfo=LOCAL_TIME)
