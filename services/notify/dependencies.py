"""The nameko extensions notify needs beyond core: its delivery settings read
from config (the dependency its workers get), and a timer whose interval is
configuration."""
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from core.errors import ConfigurationError
from core.privacy import FieldCipher
from core.sealed import Sealer
from services.notify.providers import provider_from_config
from services.notify.sending import Delivery, RetryPolicy


class DeliveryProvider(DependencyProvider):
    """Config: CONTACT_ENCRYPTION_KEYS and PRIVATE_EVENT_KEYS (required: the
    service does not start without them), SMS_PROVIDER, SMS_LOG_PATH,
    SEND_RETRY_BASE_SECONDS, SEND_MAX_ATTEMPTS, SEND_LEASE_SECONDS."""

    def setup(self):
        config = self.container.config
        defaults = RetryPolicy()
        try:
            cipher = FieldCipher(config.get("CONTACT_ENCRYPTION_KEYS"))
        except ValueError as exc:
            raise ConfigurationError(
                f"notify: CONTACT_ENCRYPTION_KEYS: {exc}; notify will not start without the "
                "key that protects petitioners' phone numbers") from None
        self.delivery = Delivery(
            cipher=cipher,
            provider=provider_from_config(config),
            policy=RetryPolicy(
                base_seconds=float(config.get("SEND_RETRY_BASE_SECONDS", defaults.base_seconds)),
                max_attempts=int(config.get("SEND_MAX_ATTEMPTS", defaults.max_attempts)),
                lease_seconds=float(config.get("SEND_LEASE_SECONDS", defaults.lease_seconds)),
            ),
            private=Sealer(config.get("PRIVATE_EVENT_KEYS"), "PRIVATE_EVENT_KEYS"),
        )

    def get_dependency(self, worker_ctx):
        return self.delivery


class ConfiguredTimer(Timer):
    """``@every("SEND_INTERVAL_SECONDS", 0.5)``: the interval comes from config."""

    def __init__(self, config_key, default, **kwargs):
        self.config_key = config_key
        super().__init__(interval=default, **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.config_key, self.interval))


every = ConfiguredTimer.decorator
