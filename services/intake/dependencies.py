"""What intake's workers are given beyond values read from config (those
are core.config.FromConfig's, in service.py): categories and areas, owned by routing, asked for by RPC and kept for
REFERENCE_TTL_SECONDS (default 60) so a submission does not wait on routing;
and the tracking that holds a case (a county's own, or the city's)."""
import logging
import time

from core.areas import holder
from core.broker import TimedRpcProxy
from core.errors import ServiceUnavailable

log = logging.getLogger(__name__)


class ReferenceData(TimedRpcProxy):
    """Gives each worker a function returning routing's ``reference_data()``:
    ``{categories: [{code, ...}], areas: [{code, ...}]}``. One cache per
    service container; when routing cannot answer in ``RPC_TIMEOUT_SECONDS``,
    the last copy is used (with none yet, the submission gets a 503)."""

    def __init__(self):
        super().__init__("routing")
        self._data = None
        self._fetched_at = None

    def setup(self):
        super().setup()
        self.ttl = float(self.container.config.get("REFERENCE_TTL_SECONDS", 60))

    def get_dependency(self, worker_ctx):
        routing = super().get_dependency(worker_ctx)
        return lambda: self._get(routing)

    def _get(self, routing):
        now = time.monotonic()
        if self._data is not None and now - self._fetched_at < self.ttl:
            return self._data
        try:
            self._data = routing.reference_data()
            self._fetched_at = now
        except ServiceUnavailable:  # anything else is a bug, not an outage: let it show
            if self._data is None:
                raise
            log.warning("routing.reference_data failed; using the copy from %.0fs ago",
                        now - self._fetched_at, exc_info=True)
        return self._data


class TrackingOf(TimedRpcProxy):
    """The tracking that holds a case, found by the case's area (core/areas.py):
    a county's own for its areas when it runs one (``COUNTIES``), else the
    city's. The dependency is a function of the area: ``self.tracking(area)``."""

    def __init__(self):
        super().__init__("tracking")

    def get_dependency(self, worker_ctx):
        config = self.container.config
        return lambda area_code: self.service(worker_ctx, holder("tracking", area_code, config))
