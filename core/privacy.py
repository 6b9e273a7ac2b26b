"""Protecting citizens' data: encryption at rest, keyed hashes for look-ups,
and the masks applied to every output."""
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet

from core.errors import ConfigurationError


class FieldCipher:
    """Encrypts single fields. ``keys`` is a comma-separated list of Fernet
    keys, newest first: new data uses the first, old data still decrypts
    during a key rotation."""

    def __init__(self, keys):
        keys = [k.strip() for k in (keys or "").split(",") if k.strip()]
        if not keys:
            raise ValueError("no encryption key configured")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, value):
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token):
        return self._fernet.decrypt(token.encode()).decode()


def require_keys(config, keys, service, why):
    """A service that keeps personal data refuses to start without its keys:
    ConfigurationError naming every one of ``keys`` not set, and ``why``."""
    missing = [key for key in keys if not config.get(key)]
    if missing:
        raise ConfigurationError(f"{service}: {' and '.join(missing)} not set; {why}")


def cipher_from(config, key, service):
    """The FieldCipher of ``config[key]``; ConfigurationError if it is not
    comma-separated Fernet keys."""
    try:
        return FieldCipher(str(config[key]))
    except ValueError as exc:
        raise ConfigurationError(
            f"{service}: {key} must be comma-separated Fernet keys ({exc})") from None


def keyed_hash(key, value):
    """HMAC-SHA256: a stable look-up key that cannot be reversed by hashing
    every possible ID number or query code without the key."""
    if not key:
        raise ValueError("no hashing key configured")
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(value):
    """``370102199001011234`` -> ``3701**********1234``."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value):
    """``13812345678`` -> ``138****5678``."""
    return value[:3] + "****" + value[-4:]


def masked_person(name, id_number, phone):
    """A citizen's identity as staff and the citizen see it (a petitioner, a
    proposer): each field masked (intake's MaskedPersonSchema)."""
    return {"name": mask_name(name), "id_number": mask_id_number(id_number),
            "phone": mask_phone(phone)}


def mask_name(value):
    """``张三丰`` -> ``张**``: the family name only; a one-character name
    shows nothing (its only character is the whole name)."""
    if len(value) < 2:
        return "*"
    return value[:1] + "*" * (len(value) - 1)
