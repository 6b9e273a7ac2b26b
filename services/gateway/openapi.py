"""The OpenAPI document, read off the routes themselves: each route's
docstring gives its summary and, after ``---``, its operation in YAML, with
schemas named as in ``schemas.py`` (or the owning service's request schema).
The bearer security is read off the route's auth decorator (auth.py), a
forwarded route's success response off its declaration (forward.py)."""
import functools
import re

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from core import once

# Imported to register their schemas by name: the request bodies are the owning
# services' own schemas, the responses the gateway's.
from services.gateway import schemas  # noqa: F401
from services.gateway.http import HttpEntrypoint
from services.intake import schemas as intake_schemas  # noqa: F401
from services.notify import schemas as notify_schemas  # noqa: F401
from services.rating import schemas as rating_schemas  # noqa: F401
from services.reports import schemas as reports_schemas  # noqa: F401
from services.routing import schemas as routing_schemas  # noqa: F401
from services.suggestions import schemas as suggestions_schemas  # noqa: F401
from services.tracking.workflows import STEPS, WHO

WERKZEUG_ARG = re.compile(
    r"<(?:(?P<converter>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[a-z_]+)>")
# <any(accept,reply):action>: one route for a table of steps, one path each here
WERKZEUG_ANY = re.compile(r"<any\(([a-z_,]+)\):([a-z_]+)>")


def openapi_path(url):
    """``/cases/<string(maxlength=40):case_number>`` -> ``/cases/{case_number}``."""
    return WERKZEUG_ARG.sub(r"{\g<name>}", url)


def expand(url):
    """(url with each ``any`` option written out, the option or None)."""
    found = WERKZEUG_ANY.search(url)
    if found is None:
        return [(url, None)]
    return [(url[:found.start()] + option + url[found.end():], option)
            for option in found.group(1).split(",")]

# Query parameters several routes share, named in a route's ``parameters``
# list by a plain string: declared once here.
PARAMETER_GROUPS = yaml.safe_load("""
period:
  - {name: period, in: query, schema: {type: string, enum: [day, week, month, quarter, year, range], default: month}}
  - {name: date, in: query, description: "a day in the period (default today)", schema: {type: string, format: date}}
  - {name: from, in: query, description: "first day, for period=range", schema: {type: string, format: date}}
  - {name: to, in: query, description: "last day, for period=range", schema: {type: string, format: date}}
area:
  - {name: area_code, in: query, description: "rolled up: an area includes every area below it", schema: {type: string}}
unit_category:
  - {name: unit_code, in: query, schema: {type: string}}
  - {name: category, in: query, schema: {type: string}}
queue_filters:
  - {name: status, in: query, schema: {type: string}}
  - {name: queue, in: query, description: "new (awaiting acceptance), due_soon, overdue, supervised",
     schema: {type: string, enum: [new, due_soon, overdue, supervised]}}
  - {name: search, in: query, description: "a case number or its beginning", schema: {type: string, maxLength: 20}}
  - {name: unit_code, in: query, description: "one unit of a bureau's jurisdiction", schema: {type: string}}
filename:
  - {name: filename, in: query, description: "the file's name", schema: {type: string, maxLength: 200}}
breakdown:
  - {name: channel, in: query, schema: {type: string, enum: [online, proxy]}}
  - {name: by, in: query, description: "one row per unit, area (one level down), category, channel or day", schema: {type: string, enum: [unit, area, category, channel, day]}}
""")
PARAMETER_GROUPS["idempotency_key"] = [{
    "name": once.HEADER, "in": "header", "required": False,
    "description": "a client that may send this request again (a lost connection, a double "
                   "click) sends the same key each time: a repeat acts no second time",
    "schema": {"type": "string", "pattern": once.REQUEST_ID.pattern}}]
# The staff figures take every filter; the public lists only unit and category.
PARAMETER_GROUPS["filters"] = PARAMETER_GROUPS["unit_category"] + PARAMETER_GROUPS["breakdown"]
# A route's ``requestBody`` named by a plain string: a body several routes
# share (a file sent as the body, routes/materials.py), else the name of the
# schema of a required JSON body (json_body).
REQUEST_BODIES = yaml.safe_load("""
file:
  required: true
  description: "the file; its type as Content-Type: an image (jpeg, png, gif, webp, heic), PDF or office document (doc, xls, ppt, docx, xlsx, pptx, odt, ods), or application/octet-stream; at most 10 MiB"
  content: {image/jpeg: {schema: {type: string, format: binary}}, image/png: {schema: {type: string, format: binary}}, application/pdf: {schema: {type: string, format: binary}}, application/octet-stream: {schema: {type: string, format: binary}}}
""")


def routes(service_cls):
    for name in dir(service_cls):
        method = getattr(service_cls, name)
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, HttpEntrypoint):
                yield entrypoint.method, entrypoint.url, method


@functools.cache
def document(service_cls):
    spec = APISpec(
        title="Online petition platform (网上信访) API", version="1.0.0",
        openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
        info={"description": "Citizens submit and follow petitions with a private query "
                             "code; staff of the responsible units handle them."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    for http_method, any_url, method in sorted(routes(service_cls), key=lambda r: r[1]):
        for url, option in expand(any_url):
            _add(spec, http_method, url, method, option)
    return spec.to_dict()


def _add(spec, http_method, url, method, option):
    summary, _, operation = (method.__doc__ or "").partition("---")
    operation = yaml.safe_load(operation) or {}
    if hasattr(method, "complete"):
        # a forwarded route: its success response is in its declaration (forward.py)
        operation = method.complete(operation)
    if getattr(method, "needs_token", False):
        operation = {"security": [{"bearer": []}], **operation}
    if option is not None:
        # a route over a table (e.g. the workflow steps) describes each option
        operation.update(method.describe(option))
    operation.setdefault("summary", summary.strip().splitlines()[0] if summary.strip() else "")
    operation.setdefault("responses", {}).setdefault("4XX", {
        "description": "bad input (400), no or bad token (401), not allowed (403), "
                       "not found (404), conflict with the case's state (409), body too "
                       "large (413), not sent as application/json (415), too many "
                       "requests (429, with Retry-After)",
        "content": {"application/json": {"schema": "Error"}}})
    operation["responses"].setdefault("503", {
        "description": "a service did not answer in time; the request may be retried",
        "content": {"application/json": {"schema": "Error"}}})
    if isinstance(operation.get("requestBody"), str):
        name = operation["requestBody"]
        operation["requestBody"] = REQUEST_BODIES.get(name) or json_body(name)
    operation["parameters"] = [
        expanded for p in operation.get("parameters", [])
        for expanded in (PARAMETER_GROUPS[p] if isinstance(p, str) else [p])]
    params = [{"name": m["name"], "in": "path", "required": True, "schema": _path_schema(m)}
              for m in WERKZEUG_ARG.finditer(url)]
    operation["parameters"] = params + operation["parameters"]
    spec.path(path=openapi_path(url), operations={http_method.lower(): operation})


def _path_schema(match):
    """A path parameter's schema from its werkzeug converter and its bounds
    (``string(maxlength=40)``, ``int(min=1, max=2147483647)``)."""
    bounds = dict(arg.strip().split("=") for arg in (match["args"] or "").split(",") if arg)
    if match["converter"] == "int":
        return {"type": "integer", **{key: int(bounds[arg]) for key, arg in
                                      (("minimum", "min"), ("maximum", "max")) if arg in bounds}}
    return {"type": "string", "minLength": 1,
            **({"maxLength": int(bounds["maxlength"])} if "maxlength" in bounds else {})}


def step_operation(action):
    """The OpenAPI operation of one workflow step, read off its table row."""
    workflow, step = STEPS[action]
    states = ", ".join(sorted(step.from_states)) or "-"
    operation = {
        "summary": f"{step.name_zh} ({workflow.name}: {action})",
        "description": (f"Who: {WHO[step.who].name_zh}. From: {states}; to: "
                        f"{step.to_state or 'unchanged'}. Emits `{step.event.event_type}` "
                        f"(v{step.event.version})."
                        + (" The petitioner is told by SMS." if step.tells_petitioner else "")),
    }
    if step.body is not None:
        operation["requestBody"] = json_body(step.body)
    return operation


def json_body(schema):
    """A required JSON request body of ``schema`` (its name, or the schema)."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}
