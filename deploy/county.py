"""A county's own services (区县部署, core/areas.py): the city's routing and
tracking classes under the names ``<service>_<county>``, so that their handler
and RPC queues are their own. ``nameko run deploy.county:tracking`` with
``COUNTY_CODE=370114`` (and the county's own ``TRACKING_DB_URL``) runs
``tracking_370114``; deploy.stack does this for a stack whose env has
``COUNTY_CODE``."""
import os

from core.areas import AREA_SCOPED, deployment_name

_made = {}


def county_service(name, county):
    """The class of ``name`` (an area-scoped service) as ``county`` runs it."""
    if name not in AREA_SCOPED:
        raise ValueError(f"a county runs only {', '.join(AREA_SCOPED)}, not {name}")
    if (name, county) not in _made:
        from deploy.services import service_class
        city = service_class(name)
        _made[name, county] = type(city.__name__, (city,),
                                   {"name": deployment_name(name, county)})
    return _made[name, county]


def __getattr__(name):  # deploy.county:tracking, for nameko run
    if name in AREA_SCOPED:
        return county_service(name, os.environ["COUNTY_CODE"])
    raise AttributeError(name)
