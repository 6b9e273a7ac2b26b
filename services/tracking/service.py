"""The tracking service: entrypoints only; the work is in cases.py (state
changes) and views.py (what staff and the public see)."""
from core import events
from core.actors import staff_rpc
from core.broker import rpc
from core.handlers import handles
from core.store import Store
from services.tracking import cases, views
from services.tracking.models import Base


class TrackingService:
    name = "tracking"
    store = Store(Base)

    @rpc
    def get_case(self, case_number):
        with self.store.transaction() as tx:
            return views.get_case(tx, case_number)

    @staff_rpc
    def list_cases(self, actor, status=None, limit=100, offset=0):
        with self.store.transaction() as tx:
            return views.list_cases(tx, actor, status, limit, offset)

    @staff_rpc
    def staff_case(self, case_number, actor):
        with self.store.transaction() as tx:
            return views.staff_case(tx, case_number, actor)

    @rpc
    def status_counts(self):
        with self.store.transaction() as tx:
            return views.status_counts(tx)

    @staff_rpc
    def accept(self, case_number, actor):
        with self.store.transaction() as tx:
            return cases.accept(tx, case_number, actor)

    @staff_rpc
    def reply(self, case_number, actor, reply):
        with self.store.transaction() as tx:
            return cases.reply(tx, case_number, actor, reply)

    @staff_rpc
    def return_case(self, case_number, actor, reason):
        with self.store.transaction() as tx:
            return cases.return_case(tx, case_number, actor, reason)

    @handles(events.PETITION_SUBMITTED)
    def on_petition_submitted(self, tx, event):
        cases.record_submission(tx, event)

    @handles(events.PETITION_ROUTED)
    def on_petition_routed(self, tx, event):
        cases.apply_routing(tx, event)

    @handles(events.PETITION_REJECTED)
    def on_petition_rejected(self, tx, event):
        cases.apply_rejection(tx, event)

    @handles(events.RATING_SUBMITTED)
    def on_rating_submitted(self, tx, event):
        cases.apply_rating(tx, event)

    @handles(events.RATING_UNSATISFIED)
    def on_rating_unsatisfied(self, tx, event):
        cases.open_supervision(tx, event)
