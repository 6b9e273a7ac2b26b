"""A realistic month of public events for the reports tests (November 2026:
no public holiday), and the figures computed by hand from it.

Units: A (housing, 历下区), B (labor, 章丘区), C (urban management, the city):
the units of routing's seeded Jinan directory.
Petitioners are keyed pseudonyms (64 hex characters), as intake publishes them.

    case  unit  area       category  channel  life
    1     A     370102     housing   online   P1; 11-02 in, due 11-16, accepted 11-03, replied 11-06
                                              (4 working days), rated all 满意 11-07, concluded on time
    2     A     370102001  housing   proxy    P2; 11-03 in, due 11-17, accepted 11-04, replied 11-20
                                              (13), rated all 基本满意 11-21, concluded late
    3     A     370102     housing   online   P1 again, same matter: a repeat; 11-10 in, due 11-24,
                                              accepted 11-10, replied 11-12 (2), handling quality
                                              不满意 11-13, supervision opened
    4     A     370102     labor     online   P3; 11-16 in, routed to B (due 11-30), B returns it
                                              11-17, re-routed to A (due 11-30), accepted 11-18,
                                              replied 11-19 (3), not rated
    5     B     370114     labor     online   P4; 11-05 in, due 11-19, accepted 11-06, replied 11-09
                                              (2), rated 满意 11-10, concluded on time; the
                                              petitioner asked that it not be published
    6     B     370114     labor     proxy    P5; 11-09 in, due 11-23, never answered (overdue)
    7     C     370100     urban_m.  online   P6; 11-20 in, immediate, due 11-20, accepted and
                                              replied 11-20 (0), rated 满意 11-20, on time
    8     -     370102     litigation online  P7; 11-25 in, rejected (a court matter)
    9     A     370102     labor     online   P1 on another matter: no repeat; 11-12 in, due 11-26
    10    A     370102     housing   online   P8; 10-28 in (October), accepted 10-29, due 11-11,
                                              replied 11-02 (3), rated 满意 11-03, on time

Figures for November, as of 2026-12-10 (every due date passed).
"""
from datetime import date, datetime

from core import events
from core.config import LOCAL_TIME
from services.reports import projections

A, B, C = "370102-ZJJ", "370114-RSJ", "370100-CGJ"
UNIT_NAMES = {A: "历下区住房和城乡建设局", B: "章丘区人力资源和社会保障局", C: "济南市城市管理局"}
AS_OF = date(2026, 12, 10)
NOVEMBER = {"period": "month", "date": date(2026, 11, 15)}
SATISFIED = dict(service_attitude="satisfied", work_efficiency="satisfied",
                 handling_quality="satisfied")
BASICALLY = dict(service_attitude="basically_satisfied", work_efficiency="basically_satisfied",
                 handling_quality="basically_satisfied")
UNHAPPY = dict(service_attitude="satisfied", work_efficiency="basically_satisfied",
               handling_quality="unsatisfied")


def pseudonym(n):
    return f"{n:064x}"


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=LOCAL_TIME)


def case_number(n):
    return f"JN2026110{n % 10}-{n:06d}"


def month_events():
    """[(contract, fields)] in the order they happened."""
    out = []

    def add(contract, n, area, unit, when, **fields):
        out.append((contract, dict(case_number=case_number(n), area_code=area, unit_code=unit,
                                   occurred_at=when, **fields)))

    def life(n, unit, area, category, channel, petitioner, submitted, due, accepted=None,
             replied=None, rating=None, on_time=None, track="standard", title="小区供暖温度不达标",
             publish=True):
        add(events.PETITION_SUBMITTED, n, area, None, submitted, category=category, title=title,
            submitted_at=submitted, channel=channel, petitioner_key=pseudonym(petitioner),
            publish=publish)
        add(events.PETITION_ROUTED, n, area, unit, submitted, unit_name=UNIT_NAMES[unit],
            category=category, track=track, due_date=due, reason="按规则分派", routing_seq=1)
        if accepted:
            add(events.CASE_ACCEPTED, n, area, unit, accepted, accepted_by="staff")
        if replied:
            add(events.CASE_REPLIED, n, area, unit, replied, replied_by="staff")
        if rating:
            rated = rating[1]
            add(events.RATING_SUBMITTED, n, area, unit, rated, **rating[0])
            if on_time is not None:
                add(events.CASE_CONCLUDED, n, area, unit, rated, on_time=on_time)
            else:
                add(events.SUPERVISION_OPENED, n, area, unit, rated, reason="群众对办理质量不满意")

    life(10, A, "370102", "housing", "online", 8, at(10, 28), date(2026, 11, 11),
         accepted=at(10, 29), replied=at(11, 2), rating=(SATISFIED, at(11, 3)), on_time=True)
    life(1, A, "370102", "housing", "online", 1, at(11, 2), date(2026, 11, 16),
         accepted=at(11, 3), replied=at(11, 6), rating=(SATISFIED, at(11, 7)), on_time=True)
    life(2, A, "370102001", "housing", "proxy", 2, at(11, 3), date(2026, 11, 17),
         accepted=at(11, 4), replied=at(11, 20), rating=(BASICALLY, at(11, 21)), on_time=False)
    life(5, B, "370114", "labor", "online", 4, at(11, 5), date(2026, 11, 19),
         accepted=at(11, 6), replied=at(11, 9), rating=(SATISFIED, at(11, 10)), on_time=True,
         title="拖欠农民工工资", publish=False)
    life(6, B, "370114", "labor", "proxy", 5, at(11, 9), date(2026, 11, 23),
         title="拖欠农民工工资")
    life(3, A, "370102", "housing", "online", 1, at(11, 10), date(2026, 11, 24),
         accepted=at(11, 10), replied=at(11, 12), rating=(UNHAPPY, at(11, 13)))
    life(9, A, "370102", "labor", "online", 1, at(11, 12), date(2026, 11, 26),
         title="拖欠农民工工资")
    # case 4: routed to B first, returned, re-routed to A
    add(events.PETITION_SUBMITTED, 4, "370102", None, at(11, 16), category="labor",
        title="小区供暖停止", submitted_at=at(11, 16), channel="online",
        petitioner_key=pseudonym(3))
    add(events.PETITION_ROUTED, 4, "370102", B, at(11, 16), unit_name=UNIT_NAMES[B],
        category="labor", track="standard", due_date=date(2026, 11, 30), reason="按规则分派",
        routing_seq=1)
    add(events.CASE_RETURNED, 4, "370102", B, at(11, 17), reason="不属本单位职责",
        returned_by="staff", routing_seq=1)
    add(events.PETITION_ROUTED, 4, "370102", A, at(11, 17), unit_name=UNIT_NAMES[A],
        category="labor", track="standard", due_date=date(2026, 11, 30), reason="退回后重新分派",
        routing_seq=2)
    add(events.CASE_ACCEPTED, 4, "370102", A, at(11, 18), accepted_by="staff")
    add(events.CASE_REPLIED, 4, "370102", A, at(11, 19), replied_by="staff")
    life(7, C, "370100", "urban_management", "online", 6, at(11, 20), date(2026, 11, 20),
         track="immediate", accepted=at(11, 20, 11), replied=at(11, 20, 15), rating=(SATISFIED, at(11, 20, 16)),
         on_time=True, title="道路噪音扰民")
    add(events.PETITION_SUBMITTED, 8, "370102", None, at(11, 25), category="litigation",
        title="房屋买卖合同纠纷", submitted_at=at(11, 25), channel="online",
        petitioner_key=pseudonym(7))
    add(events.PETITION_REJECTED, 8, "370102", None, at(11, 25), reason="须通过诉讼解决",
        channel="人民法院")
    return out


def loaded_events():
    """As a handler receives them: built and loaded by their contracts."""
    return [(contract, contract.load(contract.build(**fields)))
            for contract, fields in month_events()]




EXPECTED_A = dict(
    received=5, accepted=4, declined=0, concluded=3, returned=0, transferred=0, extended=0,
    supervised=1, repeats=1, replied=5, rated=4, due=6, on_time=2, overdue=4,
    on_time_rate=0.3333, satisfaction_rate=0.75,
    satisfaction_by_dimension={"service_attitude": 1.0, "work_efficiency": 1.0,
                               "handling_quality": 0.75},
    rating_participation=0.8, handling_days_avg=5.0, handling_days_p90=13,
)
EXPECTED_B = dict(
    received=2, accepted=1, declined=0, concluded=1, returned=1, supervised=0, repeats=0,
    replied=1, rated=1, due=2, on_time=1, overdue=1, on_time_rate=0.5, satisfaction_rate=1.0,
    rating_participation=1.0, handling_days_avg=2.0, handling_days_p90=2,
)
EXPECTED_C = dict(
    received=1, accepted=1, concluded=1, replied=1, rated=1, due=1, on_time=1, overdue=0,
    on_time_rate=1.0, satisfaction_rate=1.0, handling_days_avg=0.0, handling_days_p90=0,
)
# The rules the tests assess with (as config ASSESSMENT would give them).
RULES = {
    "weights": {"on_time_rate": 40, "satisfaction_rate": 50, "rating_participation": 10},
    "deductions": {"supervised": 2, "overdue": 1},
    "lagging_rules": [
        {"figure": "on_time_rate", "below": 0.9, "min_cases": 3},
        {"figure": "satisfaction_rate", "below": 0.85, "min_cases": 3},
        {"figure": "supervised", "above": 3},
    ],
    "name_at_most": 10,
}
# A: 40*0.3333 + 50*0.75 + 10*0.8 - (2*1 + 1*4) = 52.83;
# B: 40*0.5 + 50*1 + 10*1 - 1 = 79; C: 100
SCORES = {C: 100.0, B: 79.0, A: 52.83}


def feed(store, settings, stream):
    """Each event consumed in its own transaction, as the handlers do."""
    for contract, event in stream:
        with store.transaction() as tx:
            projections.consume(tx, settings, contract, event)
