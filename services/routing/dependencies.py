"""What routing's workers are given: the schedule that gives due dates."""
from nameko.extensions import DependencyProvider

from services.routing.deadlines import schedule_from_config


class ScheduleProvider(DependencyProvider):
    """Hands each worker the schedule, built once from the service config."""

    def setup(self):
        self.schedule = schedule_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.schedule
