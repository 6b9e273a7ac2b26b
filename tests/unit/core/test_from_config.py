"""core.config.FromConfig: the value a service's dependency is built from its
config once, as the container starts, and handed unchanged to every worker."""
import pytest
from nameko.containers import ServiceContainer
from nameko.rpc import rpc

from core.config import FromConfig
from core.errors import ConfigurationError


def limit_from_config(config):
    if "LIMIT" not in config:
        raise ConfigurationError("LIMIT is required")
    return {"limit": int(config["LIMIT"])}


class Limited:
    name = "limited"
    limit = FromConfig(limit_from_config)

    @rpc
    def read(self):
        return self.limit


def provider(config):
    """The container's bound provider, and the container (the provider holds
    it weakly: it must outlive the test's use)."""
    container = ServiceContainer(Limited, {"AMQP_URI": "memory://", **config})
    (found,) = [d for d in container.dependencies if d.attr_name == "limit"]
    return found, container


def test_built_once_at_setup_and_the_same_value_for_every_worker():
    limit, _container = provider({"LIMIT": "3"})
    limit.setup()
    assert limit.get_dependency(object()) == {"limit": 3}
    assert limit.get_dependency(object()) is limit.get_dependency(object())


def test_a_bad_config_stops_the_service_at_setup():
    limit, _container = provider({})
    with pytest.raises(ConfigurationError, match="LIMIT is required"):
        limit.setup()
