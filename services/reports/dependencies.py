"""What the reports workers are given: the settings (calendar, repeat
window, hot-word threshold, assessment rules, bulletin font), read once; and
jieba's dictionary, loaded when the service starts rather than in a worker."""
from nameko.extensions import DependencyProvider

from services.reports import words
from services.reports.settings import Settings


class SettingsProvider(DependencyProvider):
    def setup(self):
        self.settings = Settings.from_config(self.container.config)
        words.ready()

    def get_dependency(self, worker_ctx):
        return self.settings
