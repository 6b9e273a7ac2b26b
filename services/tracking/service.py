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
from core.broker import TimedRpcProxy, forward, rpc
from core.config import FromConfig
from core.handlers import handler
from core.once import once
from core.service import StaffService
from core.store import Store
from core.timers import every
from services.tracking import cases, checks, sweep, views
from services.tracking.clocks import clocks_from_config
from services.tracking.models import AnsweredRequest, Base

# which process raised an alert (the sweep runs in every replica)
REPLICA = f"{socket.gethostname()}:{os.getpid()}"


class TrackingService(StaffService):
    name = "tracking"
    store = Store(Base)
    # now, the calendar, the running profile's limits
    clocks = FromConfig(clocks_from_config)
    routing = TimedRpcProxy("routing")

    @rpc
    def get_case(self, tx, case_number):
        return views.get_case(tx, case_number, self.clocks.today())

    public_requests = rpc(forward(views.public_requests))

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

    caseload = staff_rpc(forward(views.caseload))

    # The case's number and unit if ``actor`` may see it, else NotFound:
    # for another service acting on the actor's behalf (intake's materials).
    case_scope = staff_rpc(forward(views.case_scope))
    status_counts = rpc(forward(views.status_counts))

    @staff_rpc
    def act(self, tx, case_number, action, actor, body=None):
        """Take a step of a workflow (workflows.STAFF_ACTIONS) on a case."""
        return cases.act(tx, case_number, action, actor, body, self.clocks, self._directory)

    @rpc
    def petitioner_act(self, tx, case_number, action, body=None):
        """A petitioner's step (复查, 复核); the gateway resolved the query code."""
        return cases.petitioner_act(tx, case_number, action, body, self.clocks,
                                    self._directory)

    supervision_orders = staff_rpc(forward(views.list_orders))
    supervision_record = staff_rpc(forward(views.supervision_record))

    @staff_rpc
    @once(AnsweredRequest)
    def draw_spot_check(self, tx, actor, body):
        return checks.draw_spot_check(tx, actor, body, self.clocks)

    spot_check = staff_rpc(forward(checks.spot_check))

    @every("SWEEP_INTERVAL_SECONDS", 60)
    def sweep(self):
        # One transaction per alert (see sweep.py): safe beside other replicas.
        sweep.sweep(self.store, self.clocks, REPLICA)

    def _directory(self):
        """Routing's units by code, asked only by the steps that name a unit."""
        return {unit["code"]: unit for unit in self.routing.units()}

    on_petition_submitted = handler(events.PETITION_SUBMITTED, cases.record_submission)
    on_petition_routed = handler(events.PETITION_ROUTED, cases.apply_routing, "clocks")
    on_petition_rejected = handler(events.PETITION_REJECTED, cases.apply_rejection, "clocks")
    on_material_added = handler(events.MATERIAL_ADDED, cases.record_material, "clocks")
    on_message_added = handler(events.MESSAGE_ADDED, cases.record_message)
    on_rating_submitted = handler(events.RATING_SUBMITTED, cases.apply_rating, "clocks")

