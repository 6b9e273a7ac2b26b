"""Personal data sealed end to end across the bus.

A petitioner's name, ID number and phone travel from the gateway to intake in
an RPC request, and a phone with a code from intake to notify in the private
events. Each is sealed (Fernet: AES-128-CBC + HMAC) with a key only its two
ends hold, so anyone else who can reach the broker (an operator's tool, a
service with a stolen password, a queue mirrored by mistake) reads tokens:

- ``SUBMISSION_KEYS``: the gateway and intake (``intake.submit``,
  ``intake.request_phone_code``: ``@sealed_rpc``, the ``data`` argument);
- ``PRIVATE_EVENT_KEYS``: intake and notify (the ``sealed`` field of
  ``petitioner_contact`` and ``phone_code``: the phone with the query code or
  the SMS code).

Keys are comma-separated Fernet keys, newest first (rotation as FieldCipher).
An RPC whose argument is not sealed with the key is refused (InvalidInput):
plaintext is never accepted from the bus."""
import json

from cryptography.fernet import InvalidToken

from core.broker import CheckedArgumentRpc, in_transaction
from core.config import FromConfig
from core.errors import ConfigurationError, InvalidInput
from core.privacy import FieldCipher


class Sealer:
    def __init__(self, keys, name):
        try:
            self.cipher = FieldCipher(str(keys or ""))
        except ValueError as exc:
            raise ConfigurationError(f"{name} must be comma-separated Fernet keys ({exc})") from None

    def seal(self, value):
        return self.cipher.encrypt(json.dumps(value, ensure_ascii=False))

    def open(self, token):
        try:
            return json.loads(self.cipher.decrypt(token))
        except (InvalidToken, AttributeError, TypeError, ValueError):
            raise InvalidInput("the data was not sealed for this service",
                               {"data": ["须经加密传递"]}) from None


class SealedRpc(CheckedArgumentRpc):
    """``@sealed_rpc``: the ``data`` argument arrives sealed with
    ``SUBMISSION_KEYS`` and is opened before the worker starts."""

    argument = "data"

    def setup(self):
        super().setup()
        self.sealer = Sealer(self.container.config.get("SUBMISSION_KEYS"), "SUBMISSION_KEYS")

    def check(self, value):
        return self.sealer.open(value)


def sealed_rpc(method):
    return SealedRpc.decorator(in_transaction(method))


class SealerProvider(FromConfig):
    """A service's sealer for one key (``SealerProvider("SUBMISSION_KEYS")``);
    the service does not start without the key."""

    def __init__(self, config_key):
        super().__init__(lambda config: Sealer(config.get(config_key), config_key))
