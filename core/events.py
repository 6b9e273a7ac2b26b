"""Every event on the bus, and its schema: the contract between services.

Read top to bottom, this is what happens to a petition:

    intake    petition_submitted  -> routing picks the unit, track and due date
    intake    phone_code          -> notify texts a one-time code proving the phone (private)
    intake    petitioner_contact  -> notify (private exchange: phone, query code)
    intake    material_added      -> tracking notes it on the timeline (补充材料)
    intake    message_added       -> tracking notes it on the timeline (留言); notify texts
                                     the petitioner when the unit answered (written_by staff)
    routing   petition_routed     -> tracking opens / moves the case; notify tells the petitioner
    routing   petition_rejected   -> tracking closes it with the reason and the right channel
    routing   staff_changed       -> for subscribers: an account created, disabled, moved, reset
    tracking  case_accepted       -> the unit took the case on (受理)
    tracking  case_declined       -> notify tells the petitioner why not (不予受理)
    tracking  case_returned       -> routing re-routes, never to the unit that returned it (退回)
    tracking  case_transferred    -> routing assigns the unit the bureau named (转办)
    tracking  case_assigned, co_handling_opened, co_part_submitted, case_special,
              case_escalated, case_reported_back        -> the bureau's handling steps
    tracking  extension_requested / _approved / _refused -> 延期; notify tells of an approval
    tracking  case_replied        -> rating opens for the petitioner; notify tells them (答復)
    rating    rating_submitted    -> tracking concludes the case (辦結), or opens
                                     supervision (督辦) when it is unsatisfied
    rating    rating_unsatisfied  -> for subscribers: the unsatisfied ones only
    tracking  case_due_soon, case_overdue  -> the sweep: once per case, deadline and due date
    tracking  supervision_opened / _answered / _closed / _sent_back / _escalated -> 督办单
    tracking  return_visit_recorded, check_recorded      -> 回访, 抽查, 暗访
    tracking  review_requested / review_answered          -> 复查, 复核 (notify tells the answer)
    tracking  case_final          -> no review asked in time, or re-reviewed: closed for good (终结)
    tracking  case_concluded      -> reports (figures), notify
    tracking  personal_data_expired -> intake, notify, rating, reports erase the case's
                                     personal data of a retention period (core/retention.py)
    notify    notification_failed -> operators: a message could not be delivered

People's suggestions (人民建议征集) are not petitions: their own service and events.

    suggestions  suggestion_step   -> reports (figures per topic and department), subscribers:
                                      each step of a proposal's workflow
    suggestions  proposer_message  -> notify texts the proposer (private: phone and text sealed)
    suggestions  proposer_data_expired -> notify erases its texts to the proposer of a
                                      retention period, as for a case (private)

Every event carries ``event_id`` (consumers record it to skip duplicates), the
contract ``version``, the case's ``area_code`` and responsible ``unit_code``, so a
county or a department can run its own consumers for its own cases: the routing
key is ``<event_type>.<county>`` (core/areas.py), bind ``<event_type>.#`` for all.

Public events carry no personal data: department systems may subscribe to the
``<service>.events`` exchanges. ``case_accepted`` and ``supervision_opened`` are
published for them: no service here consumes them, and none needs to. Only
``phone_code`` and ``petitioner_contact`` carry a phone and a code, sealed for
notify (core/sealed.py), on their own exchange that only notify may bind to.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

TRACKS = ("immediate", "standard", "special_case", "escalated")
# The status of a petition from its submission until routing decides: intake's
# receipt, tracking's first state and the gateway (before tracking has heard
# of the case) all say it with this one name.
SUBMITTED = "submitted"
RATING_LEVELS = ("satisfied", "basically_satisfied", "unsatisfied")
RATING_DIMENSIONS = ("service_attitude", "work_efficiency", "handling_quality")
UNSATISFIED = "unsatisfied"


def unsatisfied_dimensions(levels):
    """The one rule for "is this rating unsatisfied": the dimensions rated 不满意.
    Any one makes the whole rating unsatisfied (it is not satisfied for the
    satisfaction rate, and it opens supervision); 满意 and 基本满意 both count
    as satisfied. ``levels`` maps each dimension to its level."""
    return [d for d in RATING_DIMENSIONS if levels[d] == UNSATISFIED]

# Who added a file to a case or wrote a message on it (留言): the petitioner,
# or staff of the event's ``unit_code``.
BY_PETITIONER, BY_STAFF = WRITERS = ("petitioner", "staff")

_CASE_NUMBER = validate.Regexp(r"^JN\d{8}-\d{6}$")
# A district or county (6 digits) or a town or street (9): GB/T 2260 and its
# town-level extension. Every schema that takes an area code uses this.
AREA_CODE_DIGITS = r"\d{6}(\d{3})?"
AREA_CODE = rf"^{AREA_CODE_DIGITS}$"
_AREA_CODE = validate.Regexp(AREA_CODE)


class ContractViolation(ValueError):
    """A service tried to publish an event that breaks its own contract."""


class EnvelopeSchema(Schema):
    """Fields every message on the bus carries. Unknown fields are ignored so a
    producer can add fields (a minor change) without breaking consumers; a
    breaking change bumps ``version`` and gets a new contract."""

    class Meta:
        unknown = EXCLUDE

    event_id = fields.UUID(required=True)
    event_type = fields.Str(required=True)
    version = fields.Int(required=True)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class EventSchema(EnvelopeSchema):
    """Fields every event about a case carries."""

    case_number = fields.Str(required=True, validate=_CASE_NUMBER)
    area_code = fields.Str(required=True, validate=_AREA_CODE)
    unit_code = fields.Str(required=True, allow_none=True)


class PetitionSubmittedSchema(EventSchema):
    # No content: a petition's text often names people, addresses, numbers.
    # Whoever needs it asks intake, which audits the read.
    category = fields.Str(required=True)
    title = fields.Str(required=True)
    submitted_at = fields.AwareDateTime(required=True)
    channel = fields.Str(required=True, validate=validate.OneOf(("online", "proxy")))
    # A pseudonym of the petitioner, so that figures can count repeat petitions
    # (重复信访) without knowing who petitioned: an HMAC of the ID number under
    # a purpose of its own (see intake's settings), never the number, never
    # intake's look-up hash, not reversible without intake's key. Optional: a
    # minor, additive change; events published before it carry none.
    petitioner_key = fields.Str(load_default=None, allow_none=True,
                                validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    # The petitioner's choice: may the concluded case be listed publicly
    # (masked)? Events from before the field existed: yes, the default.
    publish = fields.Bool(load_default=True)


class PetitionerContactSchema(EventSchema):
    # {"phone", "query_code"} sealed with PRIVATE_EVENT_KEYS (core/sealed.py):
    # only notify can open it, whoever else reads the bus.
    sealed = fields.Str(required=True)


class PhoneCodeSchema(EnvelopeSchema):
    """A one-time code proving a phone before a petition; about no case yet."""

    sealed = fields.Str(required=True)  # {"phone", "code"}, as petitioner_contact


class PetitionRoutedSchema(EventSchema):
    unit_name = fields.Str(required=True)
    category = fields.Str(required=True)
    track = fields.Str(required=True, validate=validate.OneOf(TRACKS))
    due_date = fields.Date(required=True)
    reason = fields.Str(required=True)
    # 1 for the first routing, +1 for each re-routing after a return: lets
    # tracking ignore a stale routing that arrives late.
    routing_seq = fields.Int(required=True, validate=validate.Range(min=1))


class PetitionRejectedSchema(EventSchema):
    reason = fields.Str(required=True)
    channel = fields.Str(required=True)


class CaseAcceptedSchema(EventSchema):
    accepted_by = fields.Str(required=True)


class CaseReturnedSchema(EventSchema):
    reason = fields.Str(required=True)
    returned_by = fields.Str(required=True)
    routing_seq = fields.Int(required=True)


class CaseRepliedSchema(EventSchema):
    # No reply text, for the same reason: the public view of it is tracking's.
    replied_by = fields.Str(required=True)


class CaseConcludedSchema(EventSchema):
    on_time = fields.Bool(required=True)


class CaseStepSchema(EventSchema):
    """A staff (or petitioner) step of the case work (services/tracking/workflows.py):
    who took it and the state it left and led to. No free text: a note may name
    people; the texts stay in tracking, shown to the case's staff."""

    actor = fields.Str(required=True, allow_none=True)
    from_state = fields.Str(required=True)
    to_state = fields.Str(required=True)


class CaseDeclinedSchema(CaseStepSchema):
    # Told to the petitioner by SMS, as petition_rejected's reason is.
    reason = fields.Str(required=True)


class CaseTransferredSchema(CaseStepSchema):
    to_unit_code = fields.Str(required=True)
    routing_seq = fields.Int(required=True)


class UnitsStepSchema(CaseStepSchema):
    """Steps that bring other units in (协办, 专案, 提级) with a due date."""

    unit_codes = fields.List(fields.Str(), required=True)
    due_date = fields.Date(required=True, allow_none=True)


class ExtensionSchema(CaseStepSchema):
    until = fields.Date(required=True)
    # Told to the petitioner with the approval (信访工作条例 art. 34).
    reason = fields.Str(required=True)


class DeadlineSchema(EventSchema):
    """The sweep's warnings: ``deadline`` is the clock (accept, conclude,
    part, supervision_answer, review_answer), ``due_date`` its date."""

    deadline = fields.Str(required=True)
    due_date = fields.Date(required=True)
    responsible_unit = fields.Str(required=True, allow_none=True)


class SupervisionOpenedSchema(EventSchema):
    reason = fields.Str(required=True)
    # Added with the supervision orders (督办单); older producers sent only the reason.
    order_id = fields.Int(load_default=None, allow_none=True)
    kind = fields.Str(load_default=None, allow_none=True)
    answer_due = fields.Date(load_default=None, allow_none=True)


class SupervisionStepSchema(CaseStepSchema):
    order_id = fields.Int(required=True)
    counted_against_unit = fields.Bool(load_default=False)


class ReviewSchema(CaseStepSchema):
    level = fields.Str(required=True, validate=validate.OneOf(("review", "rereview")))
    reviewing_unit = fields.Str(required=True)


class MaterialRequestStepSchema(CaseStepSchema):
    """补充材料: the unit asked the petitioner for material by ``due_date``
    (requested), the petitioner added it (answered), or the date passed
    (lapsed). Not what was asked (free text, shown on the follow page)."""

    due_date = fields.Date(required=True)


class MaterialAddedSchema(EventSchema):
    """A file joined the case's material: who added it (the petitioner, or
    staff of ``unit_code``), its type and size; never its name or content."""

    added_by = fields.Str(required=True, validate=validate.OneOf(WRITERS))
    content_type = fields.Str(required=True)
    size = fields.Int(required=True)


class MessageAddedSchema(EventSchema):
    """A message (留言) on the case: by the petitioner, or the handling unit's
    answer (``unit_code`` its unit); its length, never its text."""

    written_by = fields.Str(required=True, validate=validate.OneOf(WRITERS))
    length = fields.Int(required=True)


class StaffChangedSchema(EnvelopeSchema):
    """An administrator changed a staff account: what it is now. Tokens of a
    version below ``token_version`` are refused. No password, no personal data."""

    username = fields.Str(required=True)
    unit_code = fields.Str(required=True)
    area_code = fields.Str(required=True, validate=_AREA_CODE)
    role = fields.Str(required=True)
    active = fields.Bool(required=True)
    token_version = fields.Int(required=True)
    change = fields.Str(required=True)


class PersonalDataExpiredSchema(EventSchema):
    """A case final (``final_at``) for longer than a retention ``period``
    (core/retention.py): each store erases its entries of that period."""

    period = fields.Str(required=True)
    final_at = fields.AwareDateTime(required=True)


class RatingSubmittedSchema(EventSchema):
    service_attitude = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))
    work_efficiency = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))
    handling_quality = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))


class RatingUnsatisfiedSchema(EventSchema):
    dimensions = fields.List(
        fields.Str(validate=validate.OneOf(RATING_DIMENSIONS)),
        required=True, validate=validate.Length(min=1),
    )


class NotificationFailedSchema(EventSchema):
    message_id = fields.Str(required=True)
    channel = fields.Str(required=True)
    template = fields.Str(required=True)
    attempts = fields.Int(required=True)
    error = fields.Str(required=True)


class SuggestionStepSchema(EnvelopeSchema):
    """A step of a people's suggestion (services/suggestions/workflow.py):
    no proposer, no text; the topic, area and department for figures."""

    number = fields.Str(required=True, validate=validate.Regexp(r"^JY\d{8}-\d{6}$"))
    topic_id = fields.Int(required=True, allow_none=True)
    # added (a minor change): the topic's title as the bureau gave it, for
    # subscribers' figures; absent from steps published before
    topic_title = fields.Str(load_default=None, allow_none=True)
    area_code = fields.Str(required=True, validate=_AREA_CODE)
    department = fields.Str(required=True, allow_none=True)
    action = fields.Str(required=True)
    from_state = fields.Str(required=True, allow_none=True)
    to_state = fields.Str(required=True)


class ProposerDataExpiredSchema(EnvelopeSchema):
    """A proposal (``number``) final (``final_at``) for longer than a retention
    ``period`` (core/retention.py): notify erases its entries of that period
    for the texts it sent the proposer, which it keeps under the proposal's
    number, as it does a case's on ``personal_data_expired``."""

    number = fields.Str(required=True)
    period = fields.Str(required=True)
    final_at = fields.AwareDateTime(required=True)


class ProposerMessageSchema(EnvelopeSchema):
    number = fields.Str(required=True)
    area_code = fields.Str(required=True, validate=_AREA_CODE)
    # {"phone", "text"} sealed with PRIVATE_EVENT_KEYS for notify
    sealed = fields.Str(required=True)


@dataclass(frozen=True)
class Contract:
    """One event type: who publishes it, its name, and its schema."""

    source: str
    event_type: str
    schema: type
    version: int = 1
    # Carries personal data: its own exchange, and deleted from the outbox as
    # soon as it is published (it must not stay at rest in plaintext).
    private: bool = False

    @property
    def exchange(self):
        return f"{self.source}.events"

    @cached_property
    def _schema(self):
        # One instance for every build and load (a marshmallow 4 schema keeps
        # no state between calls): making one, its fields copied and bound,
        # cost as much CPU as the load itself (0.15 of 0.26 ms).
        return self.schema()

    def build(self, **data):
        """The payload to publish, with the envelope filled in and checked."""
        data.setdefault("event_id", uuid.uuid4())
        data.setdefault("occurred_at", datetime.now(timezone.utc))
        data.update(event_type=self.event_type, version=self.version)
        schema = self._schema
        payload = schema.dump(data)
        errors = schema.validate(payload)
        if errors:
            raise ContractViolation(f"{self.event_type}: {errors}")
        return payload

    def dump(self, event):
        """A loaded event as it travels (JSON-ready), for keeping or passing on."""
        return self._schema.dump(event)

    def load(self, payload):
        """Validate a received payload; raises marshmallow's ValidationError."""
        if not isinstance(payload, dict):
            raise ValidationError({"_schema": [f"expected an object, got {type(payload).__name__}"]})
        if payload.get("version") != self.version:
            raise ValidationError(
                {"version": [f"expected {self.version}, got {payload.get('version')!r}"]})
        return self._schema.load(payload)


PETITION_SUBMITTED = Contract("intake", "petition_submitted", PetitionSubmittedSchema)
# Private: on its own exchange so department systems cannot bind to it.
# Version 2: phone and query code sealed end to end (version 1 carried them in clear).
PETITIONER_CONTACT = Contract("intake.private", "petitioner_contact", PetitionerContactSchema,
                              version=2, private=True)
PHONE_CODE = Contract("intake.private", "phone_code", PhoneCodeSchema, private=True)
MATERIAL_ADDED = Contract("intake", "material_added", MaterialAddedSchema)
MESSAGE_ADDED = Contract("intake", "message_added", MessageAddedSchema)
STAFF_CHANGED = Contract("routing", "staff_changed", StaffChangedSchema)
PETITION_ROUTED = Contract("routing", "petition_routed", PetitionRoutedSchema)
PETITION_REJECTED = Contract("routing", "petition_rejected", PetitionRejectedSchema)
CASE_ACCEPTED = Contract("tracking", "case_accepted", CaseAcceptedSchema)
CASE_RETURNED = Contract("tracking", "case_returned", CaseReturnedSchema)
CASE_REPLIED = Contract("tracking", "case_replied", CaseRepliedSchema)
CASE_CONCLUDED = Contract("tracking", "case_concluded", CaseConcludedSchema)
SUPERVISION_OPENED = Contract("tracking", "supervision_opened", SupervisionOpenedSchema)
CASE_DECLINED = Contract("tracking", "case_declined", CaseDeclinedSchema)
CASE_TRANSFERRED = Contract("tracking", "case_transferred", CaseTransferredSchema)
CASE_ASSIGNED = Contract("tracking", "case_assigned", CaseStepSchema)
CASE_REPORTED_BACK = Contract("tracking", "case_reported_back", CaseStepSchema)
CO_HANDLING_OPENED = Contract("tracking", "co_handling_opened", UnitsStepSchema)
CO_PART_SUBMITTED = Contract("tracking", "co_part_submitted", CaseStepSchema)
CASE_SPECIAL = Contract("tracking", "case_special", UnitsStepSchema)
CASE_ESCALATED = Contract("tracking", "case_escalated", UnitsStepSchema)
EXTENSION_REQUESTED = Contract("tracking", "extension_requested", ExtensionSchema)
EXTENSION_APPROVED = Contract("tracking", "extension_approved", ExtensionSchema)
EXTENSION_REFUSED = Contract("tracking", "extension_refused", CaseStepSchema)
MATERIAL_REQUESTED = Contract("tracking", "material_requested", MaterialRequestStepSchema)
MATERIAL_REQUEST_ANSWERED = Contract("tracking", "material_request_answered", MaterialRequestStepSchema)
MATERIAL_REQUEST_LAPSED = Contract("tracking", "material_request_lapsed", MaterialRequestStepSchema)
CASE_DUE_SOON = Contract("tracking", "case_due_soon", DeadlineSchema)
CASE_OVERDUE = Contract("tracking", "case_overdue", DeadlineSchema)
SUPERVISION_ANSWERED = Contract("tracking", "supervision_answered", SupervisionStepSchema)
SUPERVISION_CLOSED = Contract("tracking", "supervision_closed", SupervisionStepSchema)
SUPERVISION_SENT_BACK = Contract("tracking", "supervision_sent_back", SupervisionStepSchema)
SUPERVISION_ESCALATED = Contract("tracking", "supervision_escalated", SupervisionStepSchema)
RETURN_VISIT_RECORDED = Contract("tracking", "return_visit_recorded", CaseStepSchema)
CHECK_RECORDED = Contract("tracking", "check_recorded", CaseStepSchema)
REVIEW_REQUESTED = Contract("tracking", "review_requested", ReviewSchema)
REVIEW_ANSWERED = Contract("tracking", "review_answered", ReviewSchema)
CASE_FINAL = Contract("tracking", "case_final", CaseStepSchema)
PERSONAL_DATA_EXPIRED = Contract("tracking", "personal_data_expired", PersonalDataExpiredSchema)
RATING_SUBMITTED = Contract("rating", "rating_submitted", RatingSubmittedSchema)
RATING_UNSATISFIED = Contract("rating", "rating_unsatisfied", RatingUnsatisfiedSchema)
NOTIFICATION_FAILED = Contract("notify", "notification_failed", NotificationFailedSchema)
SUGGESTION_STEP = Contract("suggestions", "suggestion_step", SuggestionStepSchema)
PROPOSER_MESSAGE = Contract("suggestions.private", "proposer_message", ProposerMessageSchema,
                            private=True)
# On the private exchange: notify's only (it names no one, but a department
# has nothing to do with a proposer's texts).
PROPOSER_DATA_EXPIRED = Contract("suggestions.private", "proposer_data_expired",
                                 ProposerDataExpiredSchema, private=True)

ALL = (
    PETITION_SUBMITTED, PETITIONER_CONTACT, PHONE_CODE, PETITION_ROUTED, PETITION_REJECTED,
    CASE_ACCEPTED, CASE_RETURNED, CASE_REPLIED, CASE_CONCLUDED, SUPERVISION_OPENED,
    CASE_DECLINED, CASE_TRANSFERRED, CASE_ASSIGNED, CASE_REPORTED_BACK, CO_HANDLING_OPENED,
    CO_PART_SUBMITTED, CASE_SPECIAL, CASE_ESCALATED, EXTENSION_REQUESTED, EXTENSION_APPROVED,
    EXTENSION_REFUSED, CASE_DUE_SOON, CASE_OVERDUE, SUPERVISION_ANSWERED, SUPERVISION_CLOSED,
    SUPERVISION_SENT_BACK, SUPERVISION_ESCALATED, RETURN_VISIT_RECORDED, CHECK_RECORDED,
    REVIEW_REQUESTED, REVIEW_ANSWERED, CASE_FINAL, MATERIAL_REQUESTED, MATERIAL_REQUEST_ANSWERED,
    MATERIAL_REQUEST_LAPSED, MATERIAL_ADDED, MESSAGE_ADDED, PERSONAL_DATA_EXPIRED,
    RATING_SUBMITTED, RATING_UNSATISFIED, NOTIFICATION_FAILED, SUGGESTION_STEP, PROPOSER_MESSAGE,
    PROPOSER_DATA_EXPIRED,
)

PRIVATE_EXCHANGES = frozenset(c.exchange for c in ALL if c.private)

# Published for department systems and operators only: no service here consumes
# them (tests/unit/test_events.py checks it against the handlers), so with no
# subscriber they go nowhere, as is right. Every other event must reach a queue:
# one that none takes is set aside in ``unrouted`` by the outbox relay
# (core/publish.py).
FOR_SUBSCRIBERS_ONLY = frozenset(c.event_type for c in (
    CASE_ASSIGNED, CASE_FINAL, CASE_REPORTED_BACK, CHECK_RECORDED, CO_HANDLING_OPENED,
    CO_PART_SUBMITTED, EXTENSION_REFUSED, EXTENSION_REQUESTED, MATERIAL_REQUEST_ANSWERED,
    MATERIAL_REQUEST_LAPSED, NOTIFICATION_FAILED, RATING_UNSATISFIED, RETURN_VISIT_RECORDED,
    REVIEW_REQUESTED, SUPERVISION_ANSWERED, SUPERVISION_CLOSED, SUPERVISION_ESCALATED,
    SUPERVISION_SENT_BACK))
