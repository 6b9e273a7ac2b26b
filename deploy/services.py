"""Where each service lives: ``services/<name>/service.py`` holds its class
``<Name>Service``, for the topology step, the parked-message command and the
local runner. The list of services is ``core.config.SERVICES``."""
import importlib


def service_path(name):
    """``module:Class`` as ``nameko run`` takes it."""
    return f"services.{name}.service:{name.capitalize()}Service"


def service_class(name):
    module, _, cls = service_path(name).partition(":")
    return getattr(importlib.import_module(module), cls)
