"""The reports service: a read side fed only by public events (one handler
per row of ``projections.CONSUMED``: a case's events, a people's
suggestion's steps), owning its store; figures, trends, the assessment,
documents and the suggestions' figures by RPC. Rebuilt from its event archive with
``python -m deploy.rebuild reports``."""
from nameko.timer import timer

from core import events
from core.actors import staff_rpc
from core.broker import rpc
from core.handlers import handle_each, handles
from core.service import StaffService
from core.store import Store
from services.reports import projections, reports, retention
from services.reports.dependencies import SettingsProvider
from services.reports.models import Base

BULLETIN_CHECK_SECONDS = 3600


class ReportsService(StaffService):
    name = "reports"
    store = Store(Base)
    settings = SettingsProvider()

    @rpc
    def scoreboard(self, tx, query):
        return reports.scoreboard(tx, query)

    @rpc
    def published_cases(self, tx, query):
        return reports.published_cases(tx, query)

    @rpc
    def open_data(self, tx, query):
        return reports.open_data(tx, query)

    @rpc
    def similar_cases(self, tx, query):
        return reports.similar_cases(tx, query, self.settings)

    @staff_rpc
    def similar_for_staff(self, tx, query, actor):
        return reports.similar_for_staff(tx, query, actor, self.settings)

    @rpc
    def withheld_among(self, tx, case_numbers):
        return reports.withheld_among(tx, case_numbers)

    @staff_rpc
    def withhold(self, tx, case_number, reason, actor):
        return reports.withhold(tx, case_number, reason, actor)

    @rpc
    def suggestion_figures(self, tx, query):
        return reports.suggestion_figures(tx, query)

    @staff_rpc
    def figures(self, tx, query, actor):
        return reports.unit_figures(tx, query, actor)

    @staff_rpc
    def trends(self, tx, query, actor):
        return reports.trends(tx, query, actor, self.settings)

    @staff_rpc
    def assessment(self, tx, query, actor):
        return reports.unit_assessment(tx, query, actor, self.settings)

    @staff_rpc
    def lagging(self, tx, query, actor):
        return reports.lagging_units(tx, query, actor, self.settings)

    @staff_rpc
    def export(self, tx, table, query, actor):
        return reports.export(tx, table, query, actor, self.settings)

    @staff_rpc
    def bulletin(self, tx, query, actor, document_format="xlsx"):
        return reports.bulletin(tx, query, actor, self.settings, document_format)

    @staff_rpc
    def bulletins(self, tx, actor):
        return reports.stored_bulletins(tx, actor)

    @staff_rpc
    def stored_bulletin(self, tx, bulletin_id, actor):
        return reports.stored_bulletin(tx, bulletin_id, actor)

    # Not a projection (nothing to count, nothing to archive): core/retention.py.
    @handles(events.PERSONAL_DATA_EXPIRED)
    def on_personal_data_expired(self, tx, event):
        retention.erase(tx, event)

    def _project(self, tx, contract, event):
        projections.consume(tx, self.settings, contract, event)

    # At start and hourly: the bulletins of the month and quarter just ended
    # appear within an hour of the period's end (or when the service is back).
    @timer(interval=BULLETIN_CHECK_SECONDS, eager=True)
    def make_due_bulletins(self):
        with self.store.transaction() as tx:
            reports.make_due_bulletins(tx, self.settings)


# One handler per event type the projections table lists: adding a row there
# subscribes the service (and deploy.topology declares its queue).
handle_each(ReportsService, projections.CONSUMED, ReportsService._project)
