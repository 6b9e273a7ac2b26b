"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), so that civic
clients and apps work unchanged: the categories as services, petitions as
service requests (the case number is the request id; the query code never
leaves by this door), JSON or XML by the path's extension, ``jurisdiction_id``
the area code, errors in the spec's format.

What the public sees of a request: its case number, category, status (open or
closed, our state as ``status_notes`` and, with ``extensions=true``,
``detailed_status``), the unit responsible, the times (``expected_datetime``
the due date's end) and the public timeline as ``notes``. Never the title,
text, address, reply or anyone's personal data."""
import functools
import json
from datetime import datetime, time, timedelta, timezone
from xml.etree import ElementTree

from marshmallow import ValidationError
from werkzeug import Response
from werkzeug.exceptions import HTTPException

from core.config import LOCAL_TIME
from core.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PlatformError,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)
from core.once import new_request_id
from core.roles import REGISTERED_APP
from core.validation import excerpt
from services.gateway.auth import API_KEY_HEADER, key_principal
from services.gateway.dependencies import MERGED_OFFSET_MAX
from services.gateway.http import STATUS, check_values, client_address, http

BASE = "/open311/v2"
FORMAT = "<any(json,xml):fmt>"
# Path values match at any length: a route's maxlength would leave an overlong
# id to werkzeug, answered in the REST API's error format instead of the
# spec's. The decorator answers it as not found (no id this API issues is
# longer than MAX_PATH_VALUE).
CASE_ID = "<string:request_id>"
MAX_PATH_VALUE = 50
MAX_FORM_BYTES = 64 * 1024
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
DEFAULT_DAYS = 90  # the spec's default window when no dates or ids are given

# Our case states as Open311's two, with the state named (the README's table).
CLOSED_STATES = frozenset({"rejected", "declined", "concluded"})
STATUS_NOTES = {
    "submitted": "已提交", "routed": "已转交承办单位", "returned": "已退回，重新交办中",
    "transferring": "转办中", "accepted": "已受理，办理中", "replied": "已答复，待评价",
    "rejected": "不予受理（已告知其他渠道）", "declined": "承办单位不予受理", "concluded": "已办结",
}
# Each category's group and search keywords (GET services).
GROUPS = {
    "housing": ("城乡建设", "住房,物业,供暖,拆迁,房屋"),
    "land": ("城乡建设", "土地,征地,规划"),
    "urban_management": ("城乡建设", "市容,占道,违建,环卫"),
    "transport": ("城乡建设", "道路,公交,出租车"),
    "labor": ("民生保障", "工资,欠薪,社保,养老"),
    "education": ("民生保障", "学校,入学,教师"),
    "health": ("民生保障", "医院,医保,医疗"),
    "environment": ("生态环境", "污染,噪声,排放"),
    "market": ("市场和治安", "消费,食品,价格"),
    "public_security": ("市场和治安", "治安,户籍,交通违法"),
    "consultation": ("咨询和其他", "政策,咨询"),
    "litigation": ("咨询和其他", "诉讼,法院"),
    "other": ("咨询和其他", ""),
}
# What a petition of any kind needs besides the spec's fields (GET services/{code}).
ATTRIBUTES = [
    {"code": "name", "datatype": "string", "required": True, "order": 1,
     "description": "信访人姓名 / the petitioner's name"},
    {"code": "id_number", "datatype": "string", "required": True, "order": 2,
     "description": "居民身份证号码 / resident ID number (18 characters)"},
    {"code": "phone", "datatype": "string", "required": True, "order": 3,
     "description": "手机号码 / mobile number: the query code is texted to it"},
    {"code": "title", "datatype": "string", "required": False, "order": 4,
     "description": "标题 / title (default: the description's first 30 characters)"},
    {"code": "publish", "datatype": "singlevaluelist", "required": False, "order": 5,
     "description": "办结后可否公开（隐去个人信息）/ may the concluded case be listed publicly",
     "values": [{"key": "true", "name": "可以 / yes"}, {"key": "false", "name": "不可以 / no"}]},
]
# The XML element of one item of each list (the spec's names).
XML_ITEMS = {"services": "service", "attributes": "attribute", "values": "value",
             "service_requests": "request", "notes": "note", "errors": "error"}


# Query parameters of the one-item routes, named in their decorator.
QUERY = {
    "jurisdiction_id": {"name": "jurisdiction_id", "in": "query", "description": "an area code",
                        "schema": {"type": "string"}},
    "extensions": {"name": "extensions", "in": "query",
                   "description": "true: detailed_status and the notes", "schema": {"type": "boolean"}},
}


def open311(root, *query):
    """Route decorator: the route returns data (a list or a dict), written as
    JSON or XML by the path's extension under ``root`` (the XML root); any
    error is the spec's error list, in the same format. ``query``: the names
    of the QUERY parameters the route reads (its OpenAPI entry lists them)."""
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, request, fmt, **kwargs):
            try:
                if any(len(value) > MAX_PATH_VALUE for value in kwargs.values()):
                    raise NotFound("no such item")
                return render(fmt, root, method(self, request, **kwargs))
            except (PlatformError, ValidationError, HTTPException) as exc:
                return error(fmt, exc)
        wrapper.describe = staticmethod(
            lambda fmt: {**_formats(fmt), **({"parameters": [QUERY[q] for q in query]} if query else {})})
        return wrapper
    return decorate


def _formats(fmt):
    content = "application/json" if fmt == "json" else "text/xml"
    schema = {"type": "array", "items": {"type": "object"}} if fmt == "json" else {"type": "string"}
    answer = {"content": {content: {"schema": schema}}}
    return {"responses": {"200": {"description": "ok", **answer},
                          "4XX": {"description": "the spec's errors: [{code, description}]", **answer},
                          "503": {"description": "a service did not answer in time", **answer}}}


def render(fmt, root, data, status=200):
    if fmt == "json":
        return Response(json.dumps(data, ensure_ascii=False), status=status,
                        mimetype="application/json")
    element = ElementTree.Element(root)
    _xml(element, data, XML_ITEMS.get(root, "item"))
    return Response(ElementTree.tostring(element, encoding="utf-8", xml_declaration=True),
                    status=status, mimetype="text/xml")


def _xml(parent, value, item_tag):
    if isinstance(value, list):
        for item in value:
            _xml(ElementTree.SubElement(parent, item_tag), item, "item")
    elif isinstance(value, dict):
        for key, item in value.items():
            _xml(ElementTree.SubElement(parent, key), item, XML_ITEMS.get(key, "item"))
    elif value is not None:
        parent.text = str(value).lower() if isinstance(value, bool) else str(value)


def error(fmt, exc):
    if isinstance(exc, HTTPException):
        status, description = exc.code, exc.description
    elif isinstance(exc, ValidationError):
        status, description = 400, _described(exc.messages)
    else:
        # An API key refused is the spec's 403.
        status = 403 if isinstance(exc, Unauthorized) else STATUS.get(type(exc), 400)
        description = excerpt(exc.message, 120) + (
            f" ({_described(exc.details)})" if exc.details else "")
    response = render(fmt, "errors", [{"code": status, "description": description}], status)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _described(details):
    if not isinstance(details, dict):
        return excerpt(details, 120)
    return "; ".join(f"{field}: {excerpt(' '.join(map(str, reasons)) if isinstance(reasons, list) else reasons, 80)}"
                     for field, reasons in details.items())[:400]


def form_body(request):
    """The form-encoded body the spec posts, bounded and checked as JSON
    bodies are (415, 413, 400 naming the field)."""
    if request.mimetype != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("the body must be application/x-www-form-urlencoded",
                                   {"Content-Type": [excerpt(request.mimetype or "none")]})
    if request.content_length is None or request.content_length > MAX_FORM_BYTES:
        raise PayloadTooLarge(f"the request body exceeds {MAX_FORM_BYTES} bytes",
                              {"body": [f"at most {MAX_FORM_BYTES} bytes, with its length"]})
    request.max_form_memory_size = MAX_FORM_BYTES
    form = {key: request.form.get(key) for key in request.form}
    check_values(form, "", 1)
    return form


def _local(moment):
    return datetime.fromisoformat(moment).astimezone(LOCAL_TIME).isoformat() if moment else None


def _w3c(text, field):
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise InvalidInput("输入有误", {field: [f"{excerpt(text)} is not a W3C date-time"]}) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIME)).isoformat()


class Open311Routes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    def _categories(self, jurisdiction_id=None):
        reference = self.routing.reference_data()
        if jurisdiction_id and jurisdiction_id not in {a["code"] for a in reference["areas"]}:
            raise NotFound("unknown jurisdiction_id", {"jurisdiction_id": [excerpt(jurisdiction_id)]})
        return {c["code"]: c for c in reference["categories"]}

    @http("GET", f"{BASE}/services.{FORMAT}")
    @open311("services", "jurisdiction_id")
    def open311_services(self, request):
        """Open311: the categories as services, with their groups and keywords"""
        return [{"service_code": code, "service_name": c["name_zh"],
                 "description": c["name_en"], "metadata": True, "type": "realtime",
                 "keywords": GROUPS.get(code, ("", ""))[1],
                 "group": GROUPS.get(code, ("咨询和其他", ""))[0]}
                for code, c in self._categories(request.args.get("jurisdiction_id")).items()]

    @http("GET", f"{BASE}/services/<string:service_code>.{FORMAT}")
    @open311("service_definition", "jurisdiction_id")
    def open311_service(self, request, service_code):
        """Open311: a service's definition, the attributes a petition needs"""
        if service_code not in self._categories(request.args.get("jurisdiction_id")):
            raise NotFound("unknown service_code", {"service_code": [excerpt(service_code)]})
        return {"service_code": service_code,
                "attributes": [{"variable": True, "datatype_description": "", **a}
                               for a in ATTRIBUTES]}

    @http("POST", f"{BASE}/requests.{FORMAT}")
    @open311("service_requests")
    def open311_submit(self, request):
        """Open311: submit a petition from a registered app (api_key), form-encoded
        ---
        requestBody:
          required: true
          content:
            application/x-www-form-urlencoded:
              schema:
                type: object
                required: [api_key, service_code, jurisdiction_id, description]
                properties:
                  api_key: {type: string}
                  service_code: {type: string}
                  jurisdiction_id: {type: string, description: "the area code the petition concerns"}
                  description: {type: string}
                  address_string: {type: string}
                  "attribute[name]": {type: string}
                  "attribute[id_number]": {type: string}
                  "attribute[phone]": {type: string}
                  "attribute[title]": {type: string}
                  "attribute[publish]": {type: string, enum: ["true", "false"]}
        """
        form = form_body(request)
        key = form.get("api_key") or request.headers.get(API_KEY_HEADER)
        if not key:
            raise Unauthorized("api_key is required", {"api_key": ["required"]})
        principal = key_principal(self, request, key)
        actor = self.tokens.issue({
            "username": f"key:{principal['key_id']}", "unit_code": principal["unit_code"],
            "unit_name": principal["app"] or principal["unit_name"], "role": REGISTERED_APP,
            "area_code": principal["area_code"]})[0]
        attribute = {k[len("attribute["):-1]: v for k, v in form.items()
                     if k.startswith("attribute[") and k.endswith("]")}
        description = form.get("description") or ""
        petition = {
            "name": attribute.get("name") or " ".join(
                filter(None, (form.get("last_name"), form.get("first_name")))) or None,
            "id_number": attribute.get("id_number"),
            "phone": attribute.get("phone") or form.get("phone"),
            "title": attribute.get("title") or description[:30] or None,
            "content": description or None, "category": form.get("service_code"),
            "area_code": form.get("jurisdiction_id"),
            "address": form.get("address_string") or None,
            "publish": attribute.get("publish", "true") != "false"}
        receipt = self.intake.submit_from_app(
            actor, self.submissions.seal({k: v for k, v in petition.items() if v is not None}),
            new_request_id(), client_address(request))
        # The query code went to the petitioner's phone; it never leaves here.
        return [{"service_request_id": receipt["case_number"], "token": receipt["case_number"],
                 "service_notice": "已提交；查询码已通过短信发送给信访人", "account_id": None}]

    @http("GET", f"{BASE}/tokens/<string:token>.{FORMAT}")
    @open311("service_requests")
    def open311_token(self, request, token):
        """Open311: the request id behind a token (ours: the case number itself)
        ---
        responses: {}
        """
        [case] = self._requests({"case_numbers": [token]}) or [None]
        if case is None:
            raise NotFound("unknown token", {"token": [excerpt(token)]})
        return [{"service_request_id": case["case_number"], "token": token}]

    @http("GET", f"{BASE}/requests.{FORMAT}")
    @open311("service_requests")
    def open311_requests(self, request):
        """Open311: requests by ids, service_code, start_date, end_date, status; paged
        ---
        parameters:
          - {name: service_request_id, in: query, description: "case numbers, comma-separated", schema: {type: string}}
          - {name: service_code, in: query, schema: {type: string}}
          - {name: start_date, in: query, schema: {type: string, format: date-time}}
          - {name: end_date, in: query, schema: {type: string, format: date-time}}
          - {name: status, in: query, schema: {type: string, description: "open, closed or both, comma-separated"}}
          - {name: jurisdiction_id, in: query, description: "an area code: its cases and those below", schema: {type: string}}
          - {name: page, in: query, schema: {type: integer, minimum: 1, default: 1}}
          - {name: page_size, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
          - {name: extensions, in: query, description: "true: detailed_status and the notes", schema: {type: boolean}}
        """
        args = request.args
        ids = [i for i in (args.get("service_request_id") or args.get("ids") or "").split(",") if i]
        query = {"case_numbers": ids or None, "category": args.get("service_code"),
                 "area_code": args.get("jurisdiction_id")}
        for field, name in (("start", "start_date"), ("end", "end_date")):
            if args.get(name):
                query[field] = _w3c(args[name], name)
        if not ids and "start" not in query:
            query["start"] = (datetime.now(timezone.utc) - timedelta(days=DEFAULT_DAYS)).isoformat()
        statuses = [s for s in (args.get("status") or "").split(",") if s]
        if any(s not in ("open", "closed") for s in statuses):
            raise InvalidInput("输入有误", {"status": ["open, closed, or both"]})
        if len(set(statuses)) == 1:
            query["statuses"] = [s for s in STATUS_NOTES
                                 if (s in CLOSED_STATES) == (statuses[0] == "closed")]
        try:
            page = int(args.get("page", 1))
            size = int(args.get("page_size", DEFAULT_PAGE_SIZE))
        except ValueError:
            raise InvalidInput("输入有误", {"page": ["page and page_size are integers"]}) from None
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidInput("输入有误", {"page_size": [f"每页1至{MAX_PAGE_SIZE}条"]})
        if not 1 <= page or (page - 1) * size > MERGED_OFFSET_MAX:
            # the list merges every deployment's: a deep page costs each of
            # them offset / PUBLIC_PAGE_MAX calls (services/gateway/dependencies.py)
            raise InvalidInput("输入有误", {"page": [
                f"页码从1起，此前的条数不超过{MERGED_OFFSET_MAX}，请缩小查询范围"]})
        query.update(limit=size, offset=(page - 1) * size)
        extended, names = args.get("extensions") == "true", self._categories()
        return [_request(case, extended, names) for case in self._requests(query)]

    @http("GET", f"{BASE}/requests/{CASE_ID}.{FORMAT}")
    @open311("service_requests", "extensions")
    def open311_request(self, request, request_id):
        """Open311: one request by its id (the case number)"""
        cases = self._requests({"case_numbers": [request_id]})
        if not cases:
            raise NotFound("unknown service_request_id", {"service_request_id": [excerpt(request_id)]})
        return [_request(cases[0], request.args.get("extensions") == "true", self._categories())]

    def _requests(self, query):
        # tracking leaves out what the petitioner asked not to publish; reports
        # knows what staff withheld (a page may then come back short)
        cases = self.tracking.public_requests(query)
        withheld = set(self.reports.withheld_among([c["case_number"] for c in cases])
                       if cases else ())
        return [case for case in cases if case["case_number"] not in withheld]


def _request(case, extended, names):
    """A case as the spec's service request (``names``: the categories)."""
    due = case["due_date"]
    expected = (datetime.combine(datetime.fromisoformat(due).date(), time(23, 59, 59),
                                 LOCAL_TIME).isoformat() if due else None)
    row = {"service_request_id": case["case_number"],
           "status": "closed" if case["status"] in CLOSED_STATES else "open",
           "status_notes": STATUS_NOTES.get(case["status"], case["status"]),
           "service_name": names.get(case["category"], {}).get("name_zh"),
           "service_code": case["category"], "description": None,
           "agency_responsible": case["unit_name"], "service_notice": None,
           "requested_datetime": _local(case["submitted_at"]),
           "updated_datetime": _local(case["updated_at"]),
           "expected_datetime": expected, "address": None, "address_id": None,
           "zipcode": None, "lat": None, "long": None, "media_url": None}
    if extended:
        row["extended_attributes"] = {
            "detailed_status": case["status"], "area_code": case["area_code"],
            "unit_code": case["unit_code"], "track": case["track"],
            "notes": [{"datetime": _local(entry["at"]), "summary": entry["text"],
                       "type": entry["kind"]} for entry in case["timeline"]]}
    return row
