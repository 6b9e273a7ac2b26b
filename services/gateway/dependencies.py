"""What the gateway's workers are given besides RPC proxies: the bearer
tokens, signed with the gateway's private key (core/actors.py)."""
from nameko.extensions import DependencyProvider

from core.actors import ActorSigner


class TokenProvider(DependencyProvider):
    """Config: ``ACTOR_SIGNING_KEY`` (required), ``TOKEN_TTL_SECONDS``."""

    def setup(self):
        config = self.container.config
        self.tokens = ActorSigner(config.get("ACTOR_SIGNING_KEY"),
                                  config.get("TOKEN_TTL_SECONDS", 28800))

    def get_dependency(self, worker_ctx):
        return self.tokens
