"""What tracking's workers are given: the clocks (now, the calendar, the
running profile's limits), built once from the service config."""
from nameko.extensions import DependencyProvider

from services.tracking.clocks import clocks_from_config


class ClocksProvider(DependencyProvider):
    def setup(self):
        self.clocks = clocks_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.clocks
