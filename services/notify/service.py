"""The notify service: tells the petitioner, by SMS, their query code and
what happens to their case; tells the unit, by email, of a new case, a
deadline near or past, and supervision."""
from core import events
from core.actors import staff_rpc
from core.broker import forward, rpc
from core.config import FromConfig
from core.handlers import handle_each, handles
from core.once import once
from core.service import StaffService
from core.store import Store
from core.timers import every
from services.notify import messages, retention, sending, webhooks
from services.notify.dependencies import delivery_from_config
from services.notify.models import SMS, AnsweredRequest, Base


class NotifyService(StaffService):
    name = "notify"
    store = Store(Base)
    delivery = FromConfig(delivery_from_config)

    @handles(events.PETITIONER_CONTACT)
    def on_petitioner_contact(self, tx, event):
        messages.record_contact(tx, self.delivery.cipher, self._opened(event))

    @handles(events.PHONE_CODE)
    def on_phone_code(self, tx, event):
        # Sent at once, not queued: a code is useful for minutes. Inside the
        # handler's transaction: the inbox entry commits only once it is sent,
        # and a failed send is retried by the handler, then parked. The event's
        # id is the key: a crash after the send and before the commit
        # redelivers the event, and the provider drops the second copy.
        opened = self._opened(event)
        self.delivery.provider.send(opened["phone"], messages.phone_code_text(opened),
                                    key=str(event["event_id"]))

    @handles(events.PROPOSER_MESSAGE)
    def on_proposer_message(self, tx, event):
        messages.queue_proposer_text(tx, self.delivery.cipher, self._opened(event))

    # The petitioner's side of a case's step: the table below the class.
    def _text_status(self, tx, contract, event):
        messages.queue_status(tx, self.delivery.cipher, event, contract.event_type)

    def _tell_unit(self, tx, event):
        messages.queue_staff_email(tx, self.delivery.cipher, event)
        webhooks.queue(tx, self.delivery.cipher, event)

    # The unit's side of an event, one handler on a queue of its own for each:
    # the unit is told (email, webhooks) even while the petitioner's message
    # waits for their contact.
    on_petition_routed_for_unit = handles(events.PETITION_ROUTED)(_tell_unit)
    on_case_due_soon = handles(events.CASE_DUE_SOON)(_tell_unit)
    on_case_overdue = handles(events.CASE_OVERDUE)(_tell_unit)
    on_supervision_opened = handles(events.SUPERVISION_OPENED)(_tell_unit)
    on_rating_submitted = handles(events.RATING_SUBMITTED)(_tell_unit)
    on_case_concluded_for_unit = handles(events.CASE_CONCLUDED)(_tell_unit)

    def _opened(self, event):
        """A private event with what intake sealed for notify opened."""
        return {**event, **self.delivery.private.open(event["sealed"])}

    @handles(events.PERSONAL_DATA_EXPIRED)
    def on_personal_data_expired(self, tx, event):
        retention.erase(tx, self.delivery.provider_for(SMS), event["case_number"], event)

    @handles(events.PROPOSER_DATA_EXPIRED)
    def on_proposer_data_expired(self, tx, event):
        retention.erase(tx, self.delivery.provider_for(SMS), event["number"], event)

    @handles(events.MESSAGE_ADDED)
    def on_message_added(self, tx, event):
        messages.queue_answer(tx, self.delivery.cipher, event)

    @every("SEND_INTERVAL_SECONDS", 0.5)
    def send_due(self):
        # Two transactions (the claim, then the outcomes): see sending.py.
        sending.send_due(self.store, self.delivery)

    messages_for_case = rpc(forward(messages.for_case))
    status_counts = rpc(forward(messages.status_counts))
    query_code_sms_count = rpc(forward(messages.query_code_sms_count))
    set_unit_contact = staff_rpc(forward(messages.set_unit_contact))

    @staff_rpc
    @once(AnsweredRequest, "secret")
    def register_webhook(self, tx, actor, data):
        return webhooks.register(tx, self.delivery.cipher, self.delivery.webhook.destinations,
                                 actor, data)

    list_webhooks = staff_rpc(forward(webhooks.endpoints))

    webhook_deliveries = staff_rpc(forward(webhooks.deliveries, hidden=("limit",)))

    replay_webhook = staff_rpc(forward(webhooks.replay))
    resume_webhook = staff_rpc(forward(webhooks.resume))

    @staff_rpc
    def rotate_webhook_secret(self, tx, actor, endpoint_id, data):
        return webhooks.rotate(tx, self.delivery.cipher, actor, endpoint_id, data,
                               self.delivery.secret_overlap_hours)

    disable_webhook = staff_rpc(forward(webhooks.disable))
    delete_webhook = staff_rpc(forward(webhooks.delete))
    webhook_changes = staff_rpc(forward(webhooks.changes))


# The steps of a case its petitioner is texted about, each by the template
# named as its event type (templates.TEMPLATES): one handler, on a queue of its
# own, each.
handle_each(NotifyService, (
    events.PETITION_ROUTED, events.PETITION_REJECTED, events.CASE_DECLINED,
    events.EXTENSION_APPROVED, events.CASE_SPECIAL, events.CASE_ESCALATED,
    events.MATERIAL_REQUESTED, events.CASE_REPLIED, events.REVIEW_ANSWERED,
    events.CASE_CONCLUDED,
), NotifyService._text_status)
