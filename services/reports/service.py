"""The reports service: a read side fed only by public events (one handler
per row of ``projections.CONSUMED``: a case's events, a people's
suggestion's steps), owning its store; figures, trends, the assessment,
documents and the suggestions' figures by RPC. Rebuilt from its event archive with
``python -m deploy.rebuild reports``."""
from nameko.timer import timer

from core import events
from core.actors import staff_rpc
from core.broker import forward, rpc
from core.config import FromConfig
from core.handlers import handle_each, handler
from core.service import StaffService
from core.store import Store
from services.reports import projections, reports, retention
from services.reports.dependencies import settings_from_config
from services.reports.models import Base

BULLETIN_CHECK_SECONDS = 3600


class ReportsService(StaffService):
    name = "reports"
    store = Store(Base)
    settings = FromConfig(settings_from_config)

    # ``on`` (the day a figure is for) is the tests' clock, never a caller's.
    scoreboard = rpc(forward(reports.scoreboard, hidden=("on",)))
    published_cases = rpc(forward(reports.published_cases, hidden=("on",)))
    open_data = rpc(forward(reports.open_data, hidden=("on",)))

    similar_cases = rpc(forward(reports.similar_cases, "settings"))
    similar_for_staff = staff_rpc(forward(reports.similar_for_staff, "settings"))
    withheld_among = rpc(forward(reports.withheld_among))
    withhold = staff_rpc(forward(reports.withhold))

    suggestion_figures = rpc(forward(reports.suggestion_figures, hidden=("on",)))
    figures = staff_rpc(forward(reports.unit_figures, hidden=("on",)))
    trends = staff_rpc(forward(reports.trends, "settings", hidden=("on",)))
    assessment = staff_rpc(forward(reports.unit_assessment, "settings", hidden=("on",)))
    lagging = staff_rpc(forward(reports.lagging_units, "settings", hidden=("on",)))
    export = staff_rpc(forward(reports.export, "settings", hidden=("on",)))
    bulletin = staff_rpc(forward(reports.bulletin, "settings", hidden=("on",)))
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
