"""A nameko timer whose interval is configuration (notify's sender, tracking's sweep)."""
from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """``@every("SEND_INTERVAL_SECONDS", 0.5)``: the interval comes from config."""

    def __init__(self, config_key, default, **kwargs):
        self.config_key = config_key
        super().__init__(interval=default, **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.config_key, self.interval))


every = ConfiguredTimer.decorator
