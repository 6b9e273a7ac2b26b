"""What the suggestions workers are given: the settings (keys), read once."""
from nameko.extensions import DependencyProvider

from services.suggestions.settings import Settings


class SettingsProvider(DependencyProvider):
    def setup(self):
        self.settings = Settings.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.settings
