"""The keys the suggestions service needs before it may touch a proposer's
data; it refuses to start without them."""
from dataclasses import dataclass

from core.errors import ConfigurationError
from core.privacy import FieldCipher, keyed_hash
from core.sealed import Sealer

REQUIRED_KEYS = ("SUGGESTION_ENCRYPTION_KEYS", "SUGGESTION_HASH_KEY", "SUBMISSION_KEYS",
                 "PRIVATE_EVENT_KEYS")


@dataclass(frozen=True)
class Settings:
    cipher: FieldCipher   # names, ID numbers and phones at rest
    hash_key: str         # keyed hashes of query codes
    submissions: Sealer   # reseals the phone proof for intake
    private: Sealer       # seals the proposer's phone and texts for notify

    @classmethod
    def from_config(cls, config):
        missing = [key for key in REQUIRED_KEYS if not config.get(key)]
        if missing:
            raise ConfigurationError(
                f"suggestions: {' and '.join(missing)} not set; the service will not start "
                "without the keys that protect proposers' personal data")
        try:
            cipher = FieldCipher(str(config["SUGGESTION_ENCRYPTION_KEYS"]))
        except ValueError as exc:
            raise ConfigurationError("suggestions: SUGGESTION_ENCRYPTION_KEYS must be "
                                     f"comma-separated Fernet keys ({exc})") from None
        return cls(cipher, str(config["SUGGESTION_HASH_KEY"]),
                   Sealer(config["SUBMISSION_KEYS"], "SUBMISSION_KEYS"),
                   Sealer(config["PRIVATE_EVENT_KEYS"], "PRIVATE_EVENT_KEYS"))

    def hash(self, value):
        return keyed_hash(self.hash_key, value)
