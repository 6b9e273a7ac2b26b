"""People's suggestions' public steps (``suggestion_step``) for the reports
tests, as the suggestions service publishes them, and the figures computed by
hand from them. November 2026 has no public holiday: Monday 11-02 to Friday
11-06, Monday 11-09 to ...

    proposal  topic  area    life
    1         7      370102  11-02 in, accepted 11-02, forwarded to ZJJ 11-03, adopted 11-09
                             (5 working days), published 11-10
    2         7      370103  11-02 in, accepted 11-03, forwarded to ZJJ 11-04, not adopted 11-06 (4)
    3         7      370102  11-03 in, merged with 1 on 11-03
    4         -      370112  11-04 in (no topic), declined 11-05
    5         7      370102  11-05 in, accepted 11-05, forwarded to JT 11-06, not answered yet
    6         7      370102  10-30 in (October), accepted 11-02, forwarded to ZJJ 11-02,
                             adopted 11-04 (3: Monday to Wednesday after a Friday)

November, topic 7: received 4 (1, 2, 3, 5), accepted 4 (1, 2, 5, 6), merged 1, forwarded 4,
answered 3 (1, 2, 6), adopted 2, not adopted 1, published 1, adoption rate 2/3, average answer
(5 + 4 + 3) / 3 = 4.0 working days. ZJJ: received 2 (1, 2; 6 was October's), accepted,
forwarded and answered 3, adopted 2. JT: received, accepted, forwarded 1. No topic: received 1,
declined 1 (not adopted 1).
"""
from datetime import datetime
from uuid import UUID

from core import events
from core.config import LOCAL_TIME
from services.suggestions.workflow import STEPS, SUBMITTED

TOPIC, TOPIC_TITLE = 7, "公交出行征集建议"
ZJJ, JT = "370100-ZJJ", "370100-JTYSJ"
NOVEMBER = {"period": "month", "date": "2026-11-15"}
OCTOBER = {"period": "month", "date": "2026-10-15"}

ZERO = dict(received=0, accepted=0, merged=0, declined=0, forwarded=0, answered=0, adopted=0,
            not_adopted=0, published=0, adoption_rate=None, answer_days_avg=None)
EXPECTED_TOPIC = {**ZERO, "key": "7", "name": TOPIC_TITLE, "received": 4, "accepted": 4,
                  "merged": 1, "forwarded": 4, "answered": 3, "adopted": 2, "not_adopted": 1,
                  "published": 1, "adoption_rate": 0.6667, "answer_days_avg": 4.0}
EXPECTED_NO_TOPIC = {**ZERO, "key": None, "name": None, "received": 1, "declined": 1,
                     "not_adopted": 1}
EXPECTED_ZJJ = {**ZERO, "key": ZJJ, "name": None, "received": 2, "accepted": 3, "forwarded": 3,
                "answered": 3, "adopted": 2, "not_adopted": 1, "published": 1,
                "adoption_rate": 0.6667, "answer_days_avg": 4.0}
EXPECTED_JT = {**ZERO, "key": JT, "name": None, "received": 1, "accepted": 1, "forwarded": 1}

# (proposal, topic, area, [(action, month, day, department after the step)])
LIVES = (
    (1, TOPIC, "370102", [("submit", 11, 2, None), ("accept", 11, 2, None),
                          ("forward", 11, 3, ZJJ), ("adopt", 11, 9, ZJJ),
                          ("publish", 11, 10, ZJJ)]),
    (2, TOPIC, "370103", [("submit", 11, 2, None), ("accept", 11, 3, None),
                          ("forward", 11, 4, ZJJ), ("not_adopt", 11, 6, ZJJ)]),
    (3, TOPIC, "370102", [("submit", 11, 3, None), ("merge", 11, 3, None)]),
    (4, None, "370112", [("submit", 11, 4, None), ("decline", 11, 5, None)]),
    (5, TOPIC, "370102", [("submit", 11, 5, None), ("accept", 11, 5, None),
                          ("forward", 11, 6, JT)]),
    (6, TOPIC, "370102", [("submit", 10, 30, None), ("accept", 11, 2, None),
                          ("forward", 11, 2, ZJJ), ("adopt", 11, 4, ZJJ)]),
)


def number(n):
    return f"JY2026110{n % 10}-{n:06d}"


def steps():
    """(contract, fields) of every step, each with a fixed event id."""
    stream = []
    for n, topic, area, life in LIVES:
        state = None
        for i, (action, month, day, department) in enumerate(life):
            previous, state = state, STEPS[action].to_state if action in STEPS else SUBMITTED
            stream.append((events.SUGGESTION_STEP, dict(
                event_id=UUID(int=n * 100 + i), occurred_at=datetime(2026, month, day, 10,
                                                                      tzinfo=LOCAL_TIME),
                number=number(n), topic_id=topic, topic_title=topic and TOPIC_TITLE,
                area_code=area, department=department, action=action,
                from_state=previous, to_state=state)))
    return stream


def loaded_steps():
    """As the handler receives them: built and loaded by their contract."""
    return [contract.load(contract.build(**fields)) for contract, fields in steps()]
