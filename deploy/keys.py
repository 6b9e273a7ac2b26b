"""A developer's keys: made once on this machine, kept out of the repository."""
import secrets

from cryptography.fernet import Fernet

from core.actors import new_key_pair


def new_secrets():
    """Every key the services read from the environment, made afresh."""
    signing_key, verify_key = new_key_pair()
    return {
        "ID_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "CONTACT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ATTACHMENT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "HASH_KEY": secrets.token_hex(32),
        "API_KEY_HASH_KEY": secrets.token_hex(32),
        "SUGGESTION_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SUGGESTION_HASH_KEY": secrets.token_hex(32),
        "SUBMISSION_KEYS": Fernet.generate_key().decode(),
        "PRIVATE_EVENT_KEYS": Fernet.generate_key().decode(),
        "ACTOR_SIGNING_KEY": signing_key,
        "ACTOR_VERIFY_KEY": verify_key,
    }


def local_secrets(path):
    """Keys for a developer's machine, made once and kept in ``var/``."""
    kept = dict(line.split("=", 1) for line in path.read_text().split()) if path.exists() else {}
    made = new_secrets()
    if set(made) - set(kept):
        # Keys added by a newer version join the kept ones: replacing those
        # would leave the stored personal data undecryptable.
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in {**made, **kept}.items()
                                if k in made))
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text().split())
