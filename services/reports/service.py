"""The reports service: a read side fed only by public events (one handler
per row of ``projections.CONSUMED``: a case's events, a people's
suggestion's steps), owning its store; figures, trends, the assessment,
documents and the suggestions' figures by RPC. Rebuilt from its event archive with
``python -m deploy.rebuild reports``."""
from nameko.timer import timer

from core import events
from core.actors import staff_rpc
from core.broker import forward, rpc
from core.handlers import handle_each, handler
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

    similar_cases = rpc(forward(reports.similar_cases, "settings"))
    similar_for_staff = staff_rpc(forward(reports.similar_for_staff, "settings"))
    withheld_among = rpc(forward(reports.withheld_among))
    withhold = staff_rpc(forward(reports.withhold))

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

    bulletins = staff_rpc(forward(reports.stored_bulletins))
    stored_bulletin = staff_rpc(forward(reports.stored_bulletin))

    # Not a projection (nothing to count, nothing to archive): core/retention.py.
    on_personal_data_expired = handler(events.PERSONAL_DATA_EXPIRED, retention.erase)

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
