"""What notify's workers are given (core.config.FromConfig, in service.py):
its delivery settings read from config."""
from core.privacy import cipher_from, require_keys
from core.sealed import Sealer
from services.notify.destinations import Destinations
from services.notify.providers import email_provider_from_config, provider_from_config
from services.notify.sending import Delivery, RetryPolicy
from services.notify.webhooks import WebhookProvider

REQUIRED_KEYS = ("CONTACT_ENCRYPTION_KEYS", "PRIVATE_EVENT_KEYS")


def delivery_from_config(config):
    """Config: CONTACT_ENCRYPTION_KEYS and PRIVATE_EVENT_KEYS (required: the
    service does not start without them), SMS_PROVIDER (and SMS_HTTP_* for
    http), SMS_LOG_PATH, SMTP_* (or MAIL_LOG_PATH), SEND_RETRY_BASE_SECONDS,
    SEND_MAX_ATTEMPTS, SEND_LEASE_SECONDS, WEBHOOK_* (services/notify/webhooks.py)."""

    defaults = RetryPolicy()
    require_keys(config, REQUIRED_KEYS, "notify", "notify will not start without the keys "
                 "that protect petitioners' phone numbers (see services/notify/config.yaml)")
    return Delivery(
        cipher=cipher_from(config, "CONTACT_ENCRYPTION_KEYS", "notify"),
        provider=provider_from_config(config),
        policy=RetryPolicy(
            base_seconds=float(config.get("SEND_RETRY_BASE_SECONDS", defaults.base_seconds)),
            max_attempts=int(config.get("SEND_MAX_ATTEMPTS", defaults.max_attempts)),
            lease_seconds=float(config.get("SEND_LEASE_SECONDS", defaults.lease_seconds)),
        ),
        private=Sealer(config["PRIVATE_EVENT_KEYS"], "PRIVATE_EVENT_KEYS"),
        email=email_provider_from_config(config),
        webhook=WebhookProvider(Destinations.from_config(config)),
        webhook_policy=RetryPolicy(
            base_seconds=float(config.get("WEBHOOK_RETRY_BASE_SECONDS", 60)),
            max_attempts=int(config.get("WEBHOOK_MAX_ATTEMPTS", 12)),
            lease_seconds=float(config.get("SEND_LEASE_SECONDS", defaults.lease_seconds))),
        pause_after=int(config.get("WEBHOOK_PAUSE_AFTER", 10)),
        secret_overlap_hours=float(config.get("WEBHOOK_SECRET_OVERLAP_HOURS", 24)),
    )
