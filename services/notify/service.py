"""The notify service: tells the petitioner, by SMS, their query code and
what happens to their case."""
from core import events
from core.broker import rpc
from core.handlers import handles
from core.store import Store
from core.timers import every

from . import messages, sending
from .extensions import DeliveryProvider
from .models import Base


class NotifyService:
    name = "notify"
    store = Store(Base)
    delivery = DeliveryProvider()

    @handles(events.PETITIONER_CONTACT)
    def on_petitioner_contact(self, event):
        with self.store.transaction() as tx:
            if tx.first_delivery(event):
                messages.record_contact(tx, self.delivery.cipher, event)

    @handles(events.PETITION_ROUTED)
    def on_petition_routed(self, event):
        self._tell_petitioner(event)

    @handles(events.PETITION_REJECTED)
    def on_petition_rejected(self, event):
        self._tell_petitioner(event)

    @handles(events.CASE_REPLIED)
    def on_case_replied(self, event):
        self._tell_petitioner(event)

    @handles(events.CASE_CONCLUDED)
    def on_case_concluded(self, event):
        self._tell_petitioner(event)

    @handles(events.CASE_DECLINED)
    def on_case_declined(self, event):
        self._tell_petitioner(event)

    @handles(events.EXTENSION_APPROVED)
    def on_extension_approved(self, event):
        self._tell_petitioner(event)

    @handles(events.CASE_SPECIAL)
    def on_case_special(self, event):
        self._tell_petitioner(event)

    @handles(events.CASE_ESCALATED)
    def on_case_escalated(self, event):
        self._tell_petitioner(event)

    @handles(events.REVIEW_ANSWERED)
    def on_review_answered(self, event):
        self._tell_petitioner(event)

    def _tell_petitioner(self, event):
        with self.store.transaction() as tx:
            if tx.first_delivery(event):
                messages.queue_status(tx, self.delivery.cipher, event)

    @every("SEND_INTERVAL_SECONDS", 0.5)
    def send_due(self):
        # Several transactions (claim, then one per outcome): see sending.py.
        sending.send_due(self.store, self.delivery)

    @rpc
    def messages(self, case_number):
        with self.store.transaction() as tx:
            return messages.for_case(tx, case_number)

    @rpc
    def status_counts(self):
        with self.store.transaction() as tx:
            return messages.status_counts(tx)

    @rpc
    def query_code_sms_count(self, case_number):
        with self.store.transaction() as tx:
            return messages.query_code_sms_count(tx, case_number)
