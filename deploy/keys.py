"""A developer's keys: made once on this machine, kept out of the repository."""
import secrets

from cryptography.fernet import Fernet


def local_secrets(path):
    """Keys for a developer's machine, made once and kept in ``var/``."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in {
            "ID_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "CONTACT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "HASH_KEY": secrets.token_hex(32),
            "TOKEN_SECRET": secrets.token_hex(32),
        }.items()))
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text().split())
