"""Where each service lives: ``services/<name>/service.py`` holds its class
``<Name>Service``, for the topology step, the parked-message command and the
local runner. The list of services is ``core.config.SERVICES``; a county's
deployment runs only the area-scoped ones (core/areas.py), under its own
names (deploy/county.py)."""
import importlib
import os

from core.areas import AREA_SCOPED
from core.config import SERVICES


def this_county():
    """The county this deployment is (``COUNTY_CODE``), None for the city."""
    return os.environ.get("COUNTY_CODE") or None


def deployed_services(county=None):
    """The services a deployment runs: all of them, or a county's own."""
    return AREA_SCOPED if county else SERVICES


def service_path(name, county=None):
    """``module:Class`` as ``nameko run`` takes it."""
    if county:
        return f"deploy.county:{name}"  # deploy.county reads COUNTY_CODE
    return f"services.{name}.service:{name.capitalize()}Service"


def service_class(name, county=None):
    if county:
        from deploy.county import county_service
        return county_service(name, county)
    module, _, cls = service_path(name).partition(":")
    return getattr(importlib.import_module(module), cls)
