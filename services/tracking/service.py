"""The tracking service: entrypoints only. The case work is in workflows.py
(the tables) and cases.py (the mechanism and each step's effect), the clocks
in clocks.py and sweep.py, spot checks in checks.py, what staff and the public
see in views.py.

Staff RPCs take the ``actor`` the caller authenticated; the permission checks
are in the domain (workflows.py's ``who``, access.py's scope)."""
import os
import socket

from core import events
from core.actors import staff_rpc
from core.broker import TimedRpcProxy, rpc
from core.handlers import handles
from core.once import once
from core.service import StaffService
from core.store import Store
from core.timers import every
from services.tracking import cases, checks, sweep, views
from services.tracking.dependencies import ClocksProvider
from services.tracking.models import AnsweredRequest, Base
from services.tracking.schemas import QUEUE_PAGE_MAX

# which process raised an alert (the sweep runs in every replica)
REPLICA = f"{socket.gethostname()}:{os.getpid()}"


class TrackingService(StaffService):
    name = "tracking"
    store = Store(Base)
    clocks = ClocksProvider()
    routing = TimedRpcProxy("routing")

    @rpc
    def get_case(self, tx, case_number):
        return views.get_case(tx, case_number, self.clocks.today())

    @rpc
    def public_requests(self, tx, query):
        return views.public_requests(tx, query)

    @staff_rpc
    def list_cases(self, tx, actor, status=None, limit=100, offset=0, **filters):
        """The work queue; ``filters``: queue, sort, search, unit_code (QueueFilterSchema)."""
        today = self.clocks.today()
        return views.list_cases(tx, actor, today, self.clocks.due_soon.due(
            self.clocks.calendar, today), {**filters, "status": status, "limit": limit,
                                           "offset": offset})

    @staff_rpc
    def queue_totals(self, tx, actor, **filters):
        """How many cases the work queue's ``filters`` match, and per status and view."""
        today = self.clocks.today()
        return views.queue_totals(tx, actor, today, self.clocks.due_soon.due(
            self.clocks.calendar, today), filters)

    @staff_rpc
    def staff_case(self, tx, case_number, actor):
        return views.staff_case(tx, case_number, actor, self.clocks.today())

    @staff_rpc
    def caseload(self, tx, actor):
        return views.caseload(tx, actor)

    @staff_rpc
    def case_scope(self, tx, case_number, actor):
        """The case's number and unit if ``actor`` may see it, else NotFound:
        for another service acting on the actor's behalf (intake's materials)."""
        return views.case_scope(tx, case_number, actor)

    @rpc
    def status_counts(self, tx):
        return views.status_counts(tx)

    @staff_rpc
    def act(self, tx, case_number, action, actor, body=None):
        """Take a step of a workflow (workflows.STAFF_ACTIONS) on a case."""
        return cases.act(tx, case_number, action, actor, body, self.clocks, self._directory)

    @rpc
    def petitioner_act(self, tx, case_number, action, body=None):
        """A petitioner's step (复查, 复核); the gateway resolved the query code."""
        return cases.petitioner_act(tx, case_number, action, body, self.clocks,
                                    self._directory)

    @staff_rpc
    def supervision_orders(self, tx, actor, status=None, limit=QUEUE_PAGE_MAX, offset=0):
        return views.list_orders(tx, actor, status, limit, offset)

    @staff_rpc
    def supervision_record(self, tx, actor):
        return views.supervision_record(tx, actor)

    @staff_rpc
    @once(AnsweredRequest)
    def draw_spot_check(self, tx, actor, body):
        return checks.draw_spot_check(tx, actor, body, self.clocks)

    @staff_rpc
    def spot_check(self, tx, actor, spot_check_id):
        return checks.spot_check(tx, actor, spot_check_id)

    @every("SWEEP_INTERVAL_SECONDS", 60)
    def sweep(self):
        # One transaction per alert (see sweep.py): safe beside other replicas.
        sweep.sweep(self.store, self.clocks, REPLICA)

    def _directory(self):
        """Routing's units by code, asked only by the steps that name a unit."""
        return {unit["code"]: unit for unit in self.routing.units()}

    @handles(events.PETITION_SUBMITTED)
    def on_petition_submitted(self, tx, event):
        cases.record_submission(tx, event)

    @handles(events.PETITION_ROUTED)
    def on_petition_routed(self, tx, event):
        cases.apply_routing(tx, event, self.clocks)

    @handles(events.PETITION_REJECTED)
    def on_petition_rejected(self, tx, event):
        cases.apply_rejection(tx, event, self.clocks)

    @handles(events.MATERIAL_ADDED)
    def on_material_added(self, tx, event):
        cases.record_material(tx, event, self.clocks)

    @handles(events.MESSAGE_ADDED)
    def on_message_added(self, tx, event):
        cases.record_message(tx, event)

    @handles(events.RATING_SUBMITTED)
    def on_rating_submitted(self, tx, event):
        cases.apply_rating(tx, event, self.clocks)

