"""A proposal's life as a declared table: each step, the states it may be
taken from, the state it leads to, who takes it, what it needs, what the
proposer sees on the timeline and what they are texted. ``proposals.act``
is the one mechanism that runs it; an illegal step has one error (Conflict
naming the state).

    submitted --accept--> accepted --forward--> forwarded --adopt------> adopted --publish--> published
        |                                           '------not_adopt--> not_adopted
        |--merge--> merged (into a similar proposal)
        '--decline--> not_adopted (with the reason)
"""
from dataclasses import dataclass

SUBMITTED, ACCEPTED, MERGED = "submitted", "accepted", "merged"
FORWARDED, ADOPTED, NOT_ADOPTED, PUBLISHED = "forwarded", "adopted", "not_adopted", "published"
STATES = (SUBMITTED, ACCEPTED, MERGED, FORWARDED, ADOPTED, NOT_ADOPTED, PUBLISHED)
STATE_NAMES = {SUBMITTED: "已提交", ACCEPTED: "已受理", MERGED: "已合并办理",
               FORWARDED: "部门研究中", ADOPTED: "已采纳", NOT_ADOPTED: "未采纳",
               PUBLISHED: "已采纳并公开"}

# who takes a step: the bureau of the proposal's area, or the department it was forwarded to
BUREAU, DEPARTMENT = "bureau", "department"
SIGN = "【济南人民建议征集】"


@dataclass(frozen=True)
class Step:
    action: str
    name_zh: str
    name_en: str
    from_states: frozenset
    to_state: str
    who: str
    needs: tuple          # body fields the step requires
    public: str           # the proposer's timeline text (formatted with the proposal)
    public_en: str        # its English: what happened, no values (they are in the Chinese record)
    sms: str | None       # what the proposer is texted (None: not texted)


def _step(action, names, from_states, to_state, who, needs, public, public_en, sms=None):
    return Step(action, *names, frozenset(from_states), to_state, who, needs, public, public_en,
                sms and SIGN + sms)


STEPS = {step.action: step for step in (
    _step("accept", ("受理", "Accepted"), {SUBMITTED}, ACCEPTED, BUREAU, (),
          "建议已受理，将转交有关部门研究",
          "The suggestion was accepted; it goes to the departments concerned",
          "您的建议（编号{number}）已受理，将转交有关部门研究办理。"),
    _step("merge", ("合并办理", "Merged"), {SUBMITTED}, MERGED, BUREAU, ("merged_into", "reason"),
          "与相同内容的建议{merged_into}合并办理",
          "Handled together with a suggestion on the same matter",
          "您的建议（编号{number}）与相同内容的建议合并办理，结果将一并告知。"),
    _step("decline", ("不予采纳", "Declined"), {SUBMITTED}, NOT_ADOPTED, BUREAU, ("reason",),
          "经审查不予采纳：{reason}",
          "Not adopted after review, for the reason given",
          "您的建议（编号{number}）经审查暂不予采纳，原因：{reason}。感谢您的参与。"),
    _step("forward", ("转交部门", "Forwarded"), {ACCEPTED}, FORWARDED, BUREAU, ("department",),
          "已转交有关部门研究", "Forwarded to the department concerned to study"),
    _step("adopt", ("采纳", "Adopted"), {FORWARDED}, ADOPTED, DEPARTMENT, ("answer", "follow_up"),
          "部门答复：采纳。{answer}",
          "The department answered: adopted",
          "您的建议（编号{number}）已被采纳，请凭查询码查看部门答复。感谢您的参与。"),
    _step("not_adopt", ("不采纳", "Not adopted"), {FORWARDED}, NOT_ADOPTED, DEPARTMENT, ("answer",),
          "部门答复：暂不采纳。{answer}",
          "The department answered: not adopted for now",
          "您的建议（编号{number}）经部门研究暂不采纳，请凭查询码查看答复。"),
    _step("publish", ("公开", "Published"), {ADOPTED}, PUBLISHED, BUREAU, (),
          "采纳的建议及部门答复已公开（个人信息已隐去）",
          "The adopted suggestion and the answer were made public, without personal data",
          "您被采纳的建议（编号{number}）已公开展示（个人信息已隐去）。"),
)}
# A proposal is final (its retention period runs, core/retention.py) in a
# state no step leads on from; an adopted one is final too when its proposer
# did not let it be published (the publish step refuses it).
FINAL_STATES = frozenset(STATES) - {s for step in STEPS.values() for s in step.from_states}
# the timeline's first entry, the submission (no step of the table): as a step's, in both languages
SUBMITTED_ENTRY = {"step": "提交", "step_en": "Submitted",
                   "text": "建议已提交", "text_en": "The suggestion was submitted"}
SUBMIT_SMS = SIGN + ("您的建议已提交，编号{number}，查询码{query_code}。"
                     "请妥善保管查询码，凭此查询办理进度。")
