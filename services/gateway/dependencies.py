"""What the gateway's workers are given besides RPC proxies: the bearer
tokens, signed with the configured secret."""
from nameko.extensions import DependencyProvider

from services.gateway.auth import Tokens


class TokenProvider(DependencyProvider):
    """Config: ``TOKEN_SECRET`` (required), ``TOKEN_TTL_SECONDS``."""

    def setup(self):
        config = self.container.config
        self.tokens = Tokens(config.get("TOKEN_SECRET"), config.get("TOKEN_TTL_SECONDS", 28800))

    def get_dependency(self, worker_ctx):
        return self.tokens
