"""The keys and clock intake needs before it may touch personal data. The
service refuses to start without them: storing an ID number unencrypted, or
with a throw-away key nobody can decrypt later, is worse than not starting."""
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.config import LOCAL_TIME
from core.errors import ConfigurationError
from core.privacy import FieldCipher, cipher_from, keyed_hash, require_keys
from core.sealed import Sealer
from services.intake.attachments import AttachmentPolicy
from services.intake.phone_codes import PhoneCodePolicy

REQUIRED_KEYS = ("ID_ENCRYPTION_KEYS", "HASH_KEY", "PRIVATE_EVENT_KEYS")
PETITIONER_KEY_PURPOSE = "petitioner-pseudonym"


@dataclass(frozen=True)
class Settings:
    cipher: FieldCipher  # names, ID numbers and phones at rest
    hash_key: str        # keyed hashes of ID numbers and query codes
    timezone: ZoneInfo   # the day in a case number, the times shown
    phone_codes: PhoneCodePolicy  # codes proving phones, and the rate limits
    private: Sealer      # seals what the private events carry, for notify
    attachments: AttachmentPolicy  # size and count limits of case materials

    @classmethod
    def from_config(cls, config):
        require_keys(config, REQUIRED_KEYS, "intake", "intake will not start without the keys "
                     "that protect petitioners' personal data (see services/intake/config.yaml)")
        cipher = cipher_from(config, "ID_ENCRYPTION_KEYS", "intake")
        try:
            timezone = ZoneInfo(config.get("TIMEZONE") or LOCAL_TIME.key)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"intake: unknown TIMEZONE {config.get('TIMEZONE')!r}") from None
        # yaml reads an all-digit key as a number
        return cls(cipher, str(config["HASH_KEY"]), timezone, PhoneCodePolicy.from_config(config),
                   Sealer(config["PRIVATE_EVENT_KEYS"], "PRIVATE_EVENT_KEYS"),
                   AttachmentPolicy.from_config(config))

    def hash(self, value):
        return keyed_hash(self.hash_key, value)

    def petitioner_key(self, id_number):
        """The petitioner's pseudonym in public events: keyed like ``hash`` but
        for a purpose of its own, so it is not the look-up hash stored beside
        the ID number (one cannot be matched with the other), and nobody
        without the key can compute it from a known ID number."""
        return keyed_hash(self.hash_key, f"{PETITIONER_KEY_PURPOSE}:{id_number}")
