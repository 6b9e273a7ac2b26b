"""Which deployment handles a case: the city's, or a county's (区县部署) that
runs its own routing and tracking, with its own stores, for its own areas.

Every event about a case is published with the routing key
``<event_type>.<county>``, ``<county>`` being the first six digits of the
case's ``area_code`` (its district or county; a town's nine digits fall under
it); an event about no case (``phone_code``) keeps ``<event_type>``. The
area-scoped services (``AREA_SCOPED``) bind, per deployment:

* a county instance (deploy/county.py, ``COUNTY_CODE=370114``): its services
  are named ``<service>_370114`` (their own handler and RPC queues: they never
  share one with the city's) and bind ``<event_type>.370114`` only;
* the city, when counties run their own (``COUNTIES=["370114"]``): every other
  district and county of the directory, and the bare ``<event_type>`` (events
  published before the area was in the key);
* the city alone (the default): ``<event_type>.#``, everything.

Every other service (intake, rating, notify, reports, the gateway) is the
city's and binds ``<event_type>.#``. The gateway, given ``COUNTIES``, also asks
each county's tracking for the cases it holds (services/gateway/dependencies.py);
intake asks the tracking that holds a case by its area (``holder``).
``deploy.topology`` declares these bindings and removes those a deployment no
longer has (a city that hands a county over stops receiving its events).
"""
import csv

from core.config import ROOT

AREA_SCOPED = ("routing", "tracking")
# The districts and counties of the city (the directory routing seeds).
DISTRICTS_FILE = ROOT / "services" / "routing" / "data" / "jinan-districts.csv"
EVERYTHING = "#"


def county_of(area_code):
    return str(area_code)[:6]


def routing_key(event_type, area_code=None):
    return f"{event_type}.{county_of(area_code)}" if area_code else event_type


def _districts():
    with open(DISTRICTS_FILE, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def district_codes():
    return [row["code"] for row in _districts()]


def deployment_area(county=None):
    """(code, Chinese name, English name) of what a deployment serves: a
    county's own, or the city (``None``)."""
    for row in _districts():
        if row["code"] == county or (county is None and row["level"] == "city"):
            return row["code"], row["name_zh"], row["name_en"]
    return county, county, county


def counties(config):
    """The counties that run their own deployment (``COUNTIES``), for the city."""
    return [str(code) for code in config.get("COUNTIES") or ()]


def deployment_name(service, county=None):
    """A service's name on the bus: ``tracking``, or ``tracking_370114`` in a county."""
    return f"{service}_{county}" if county else service


def holder(service, area_code, config):
    """The deployment of an area-scoped ``service`` that holds the cases of
    ``area_code``: its county's own when that county runs one (``COUNTIES``),
    else the city's. A case never changes area, so it never changes holder."""
    county = county_of(area_code)
    return deployment_name(service, county if county in counties(config) else None)


def binding_keys(service_name, event_type, config):
    """The routing keys the service named ``service_name`` (``tracking``, or a
    county's ``tracking_370114``) binds its ``event_type`` handlers to."""
    role, _, county = service_name.partition("_")
    if role not in AREA_SCOPED:
        return [f"{event_type}.{EVERYTHING}"]
    if county:
        return [routing_key(event_type, county)]
    split_off = set(counties(config))
    if not split_off:
        return [f"{event_type}.{EVERYTHING}"]
    return [event_type] + [routing_key(event_type, code) for code in district_codes()
                           if code not in split_off]


def possible_keys(event_type):
    """Every key a handler of ``event_type`` may have been bound with, in any
    deployment and before area keys (the bare ``event_type``)."""
    return [event_type, f"{event_type}.{EVERYTHING}",
            *(routing_key(event_type, code) for code in district_codes())]
