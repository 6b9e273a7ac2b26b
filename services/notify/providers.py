"""SMS providers: the one interface the sender uses, and the implementations
selectable by config (``SMS_PROVIDER``). A real gateway's client is one more
class here."""
import logging
import os
from pathlib import Path

from core.errors import ConfigurationError
from core.store import utcnow

log = logging.getLogger(__name__)


class SmsProvider:
    """Delivers one text to one mobile number. ``send`` returns when the
    provider accepted the message and raises otherwise; the exception's text
    is stored as the attempt's error, so it must not contain the message."""

    def send(self, phone, text):
        raise NotImplementedError


class RecordProvider(SmsProvider):
    """The developer's provider: delivers nothing, records what a citizen
    would receive in a log file and the Python log (the one place where the
    query code may appear in a log)."""

    def __init__(self, log_path):
        self.log_path = Path(log_path)

    def send(self, phone, text):
        os.makedirs(self.log_path.parent, exist_ok=True)
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(f"{utcnow().isoformat()}\t{phone}\t{text}\n")
        log.info("SMS to %s: %s", phone, text)


class SendFailed(Exception):
    pass


class FailingProvider(SmsProvider):
    """Never delivers: shows the retries, the backoff and the failed state."""

    def send(self, phone, text):
        raise SendFailed("the failing provider never delivers")


def provider_from_config(config):
    name = config.get("SMS_PROVIDER", "record")
    if name == "record":
        return RecordProvider(config.get("SMS_LOG_PATH", "var/sms.log"))
    if name == "failing":
        return FailingProvider()
    raise ConfigurationError(f"unknown SMS_PROVIDER {name!r} (record, failing)")
