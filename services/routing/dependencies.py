"""What routing's workers are given: the schedule that gives due dates, and
what staff sign-in needs (services/routing/auth.py)."""
from nameko.extensions import DependencyProvider

from core.actors import AccountCheck, StaffAccounts
from core.store import Store
from services.routing.api_keys import KeyPolicy
from services.routing.auth import Auth, PasswordHashing, SignInPolicy
from services.routing.deadlines import schedule_from_config
from services.routing.staff_admin import token_state


class ScheduleProvider(DependencyProvider):
    """Hands each worker the schedule, built once from the service config."""

    def setup(self):
        self.schedule = schedule_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.schedule


class AuthProvider(DependencyProvider):
    """Config: ``SIGN_IN_LIMITS``, ``HASHING_CONCURRENCY``, ``HASHING_QUEUE``,
    ``HASHING_QUEUE_SECONDS``."""

    def setup(self):
        config = self.container.config
        self.auth = Auth(PasswordHashing(config.get("HASHING_CONCURRENCY", 1),
                                         config.get("HASHING_QUEUE", 4),
                                         config.get("HASHING_QUEUE_SECONDS", 5)),
                         SignInPolicy.from_config(config))

    def get_dependency(self, worker_ctx):
        return self.auth


class LocalStaffAccounts(StaffAccounts):
    """Routing's own staff RPCs check the account in routing's own store."""

    def get_dependency(self, worker_ctx):
        store = next(d for d in self.container.dependencies if isinstance(d, Store))
        handle = store.get_dependency(worker_ctx)

        def state(username):
            with handle.transaction() as tx:
                return token_state(tx, username)
        return AccountCheck(state)


class KeyPolicyProvider(DependencyProvider):
    """Config: ``API_KEY_HASH_KEY`` (API keys refused without it), ``API_KEY_RATE``."""

    def setup(self):
        self.policy = KeyPolicy.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.policy
