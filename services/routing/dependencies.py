"""What routing's workers are given beyond values read from config
(core.config.FromConfig, in service.py): what staff sign-in needs
(services/routing/auth.py), and its own staff accounts' check."""
from core.actors import AccountCheck, StaffAccounts
from core.store import Store
from services.routing.auth import Auth, PasswordHashing, SignInPolicy
from services.routing.staff_admin import token_state


def auth_from_config(config):
    """Config: ``SIGN_IN_LIMITS``, ``HASHING_CONCURRENCY``, ``HASHING_QUEUE``,
    ``HASHING_QUEUE_SECONDS``."""
    return Auth(PasswordHashing(config.get("HASHING_CONCURRENCY", 1),
                                config.get("HASHING_QUEUE", 4),
                                config.get("HASHING_QUEUE_SECONDS", 5)),
                SignInPolicy.from_config(config))


class LocalStaffAccounts(StaffAccounts):
    """Routing's own staff RPCs check the account in routing's own store."""

    def get_dependency(self, worker_ctx):
        store = next(d for d in self.container.dependencies if isinstance(d, Store))
        handle = store.get_dependency(worker_ctx)

        def state(username):
            with handle.transaction() as tx:
                return token_state(tx, username)
        return AccountCheck(state)
