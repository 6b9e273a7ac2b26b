"""The keys the suggestions service needs before it may touch a proposer's
data; it refuses to start without them."""
from dataclasses import dataclass

from core.privacy import FieldCipher, cipher_from, keyed_hash, require_keys
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
        require_keys(config, REQUIRED_KEYS, "suggestions", "the service will not start "
                     "without the keys that protect proposers' personal data")
        return cls(cipher_from(config, "SUGGESTION_ENCRYPTION_KEYS", "suggestions"),
                   str(config["SUGGESTION_HASH_KEY"]),
                   Sealer(config["SUBMISSION_KEYS"], "SUBMISSION_KEYS"),
                   Sealer(config["PRIVATE_EVENT_KEYS"], "PRIVATE_EVENT_KEYS"))

    def hash(self, value):
        return keyed_hash(self.hash_key, value)
