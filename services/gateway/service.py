"""The HTTP API: citizens' and staff routes, each a thin translation to RPC
calls on the services that own the data. No database of its own.

Each route's docstring is its entry in the OpenAPI document (openapi.py)."""
import base64

import eventlet
from werkzeug import Response

from core import events
from core.broker import TimedRpcProxy
from core.errors import NotFound
from core.sealed import SealerProvider
from services.gateway import openapi, pages, schemas
from services.gateway.auth import signed_in, staff_only
from services.gateway.dependencies import TokenProvider
from services.gateway.http import client_address, http, json_body, json_response
from services.intake.query_codes import new_submission_id
from services.intake.schemas import SubmittedSchema
from services.rating.schemas import RatingSchema
from services.reports import schemas as reports_schemas
from services.tracking.schemas import (
    CaseSummarySchema,
    OrderSchema,
    SpotCheckSchema,
    StepResultSchema,
    UnitSupervisionSchema,
)
from services.tracking.workflows import PETITIONER_ACTIONS, STAFF_ACTIONS, STEPS, WHO, WORKFLOWS

API = "/api/v1"
# A petition's text is up to 5,000 characters (3 bytes each in UTF-8) besides
# its other fields; every other body is small (http.MAX_BODY_BYTES).
SUBMISSION_MAX_BYTES = 64 * 1024
# Public figures change with the events, not per request: a proxy or browser
# may keep them a few minutes. Staff figures are the caller's only.
PUBLIC_CACHE = {"Cache-Control": "public, max-age=300"}
STAFF_CACHE = {"Cache-Control": "private, max-age=60"}


def _step_operation(action):
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
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": step.body}}}
    return operation


class GatewayService:
    name = "gateway"

    # submit: the submission id makes a second call return the first receipt
    intake = TimedRpcProxy("intake", idempotent={"submit"})
    routing = TimedRpcProxy("routing")
    tracking = TimedRpcProxy("tracking")
    rating = TimedRpcProxy("rating")
    reports = TimedRpcProxy("reports")
    tokens = TokenProvider()
    # What the petitioner types (name, ID number, phone) crosses the bus sealed for intake.
    submissions = SealerProvider("SUBMISSION_KEYS")

    # -- citizens ---------------------------------------------------------

    @http("POST", f"{API}/phone-codes")
    def request_phone_code(self, request):
        """Text a one-time code to the petitioner's phone (获取短信验证码)
        ---
        requestBody: {required: true, content: {application/json: {schema: PhoneCodeRequestSchema}}}
        responses:
          "202": {description: "the code is on its way by SMS",
                  content: {application/json: {schema: PhoneCodeSent}}}
          "429": {description: "too many codes asked for this phone, ID number or address",
                  headers: {Retry-After: {schema: {type: integer}}},
                  content: {application/json: {schema: Error}}}
        """
        return 202, schemas.PhoneCodeSent().dump(self.intake.request_phone_code(
            self.submissions.seal(json_body(request)), client_address(request)))

    @http("POST", f"{API}/petitions")
    def submit_petition(self, request):
        """Submit a petition (提交信访事项) with the code texted to its phone
        ---
        requestBody: {required: true, content: {application/json: {schema: SubmissionSchema}}}
        responses:
          "201": {description: "accepted; the query code is shown only here and by SMS",
                  content: {application/json: {schema: SubmittedSchema}}}
          "429": {description: "too many petitions for this ID number today, or from this address",
                  headers: {Retry-After: {schema: {type: integer}}},
                  content: {application/json: {schema: Error}}}
        """
        # One id per request: if intake commits and dies before answering, the
        # redelivered request finds the petition instead of storing it twice.
        submission_id = new_submission_id()
        return 201, SubmittedSchema().dump(self.intake.submit(
            self.submissions.seal(json_body(request, SUBMISSION_MAX_BYTES)), submission_id,
            client_address(request)))

    @http("GET", f"{API}/petitions/<string(maxlength=40):query_code>")
    def follow_petition(self, request, query_code):
        """Follow a petition by its query code (查询办理进度)
        ---
        responses:
          "200": {description: "status, unit, track, due date, timeline, reply and rating; personal data masked",
                  content: {application/json: {schema: PetitionView}}}
        """
        petition = self.intake.lookup(query_code)
        case_number = petition["case_number"]
        # Tracking and rating are asked at the same time: the citizen waits
        # for the slower of the two, not for both in turn.
        case = eventlet.spawn(self._public_case, case_number)
        rating = eventlet.spawn(self.rating.get, case_number)
        return schemas.PetitionView().dump({**petition, **case.wait(), "rating": rating.wait()})

    @http("POST", f"{API}/petitions/<string(maxlength=40):query_code>/<any({','.join(PETITIONER_ACTIONS)}):action>")
    def petitioner_step(self, request, query_code, action):
        """A petitioner's step: ask for a review (复查) or a re-review (复核)
        ---
        responses:
          "200": {description: "asked", content: {application/json: {schema: StepResultSchema}}}
          "409": {description: "not replied, already asked, or the 30 days are over",
                  content: {application/json: {schema: Error}}}
        """
        case_number = self.intake.case_number_for(query_code)
        return StepResultSchema().dump(
            self.tracking.petitioner_act(case_number, action, json_body(request)))

    petitioner_step.describe = staticmethod(lambda action: _step_operation(action))

    @http("POST", f"{API}/petitions/<string(maxlength=40):query_code>/rating")
    def rate_petition(self, request, query_code):
        """Rate how the petition was handled (评价)
        ---
        requestBody: {required: true, content: {application/json: {schema: RatingInputSchema}}}
        responses:
          "201": {description: rated, content: {application/json: {schema: RatingSchema}}}
          "409": {description: "not replied yet, or already rated",
                  content: {application/json: {schema: Error}}}
        """
        body = json_body(request)
        case_number = self.intake.case_number_for(query_code)
        return 201, RatingSchema().dump(self.rating.submit(case_number, body))

    @http("GET", f"{API}/categories")
    def categories(self, request):
        """The categories a petition can have
        ---
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: Category}}}}
        """
        return schemas.Category(many=True).dump(self.routing.reference_data()["categories"])

    @http("GET", f"{API}/areas")
    def areas(self, request):
        """The areas a petition can concern (city, districts and counties, towns)
        ---
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: Area}}}}
        """
        return schemas.Area(many=True).dump(self.routing.reference_data()["areas"])

    # -- staff ------------------------------------------------------------

    @http("POST", f"{API}/auth/token")
    def issue_token(self, request):
        """Sign in as staff of a unit; returns a bearer token
        ---
        requestBody: {required: true, content: {application/json: {schema: Credentials}}}
        responses:
          "200": {description: ok, content: {application/json: {schema: Token}}}
          "401": {description: "wrong username or password", content: {application/json: {schema: Error}}}
        """
        credentials = schemas.Credentials().load(json_body(request))
        actor = self.routing.authenticate(credentials["username"], credentials["password"],
                                          client_address(request))
        token, expires_in = self.tokens.issue(actor)
        return schemas.Token().dump({"access_token": token, "token_type": "Bearer",
                                     "expires_in": expires_in, "actor": actor})

    @http("POST", f"{API}/auth/password")
    @signed_in
    def change_password(self, request, actor):
        """Change the signed-in account's password (required first for a one-time password)
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: PasswordChange}}}
        responses:
          "200": {description: "changed; sign in again with the new password",
                  content: {application/json: {schema: PasswordChanged}}}
        """
        body = schemas.PasswordChange().load(json_body(request))
        return schemas.PasswordChanged().dump(self.routing.change_password(
            actor["username"], body["old_password"], body["new_password"],
            client_address(request)))

    @http("GET", f"{API}/cases")
    @staff_only
    def work_queue(self, request, actor):
        """The caller's work queue: its unit's cases, or its jurisdiction's for a bureau
        ---
        security: [{bearer: []}]
        parameters:
          - {name: status, in: query, schema: {type: string}}
          - {name: limit, in: query, schema: {type: integer, default: 100, maximum: 500}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: CaseSummarySchema}}}}
        """
        args = request.args
        return CaseSummarySchema(many=True).dump(self.tracking.list_cases(
            actor, args.get("status"), args.get("limit", 100), args.get("offset", 0)))

    @http("GET", f"{API}/cases/<string(maxlength=40):case_number>")
    @staff_only
    def staff_case(self, request, actor, case_number):
        """One case with its petitioner (masked); the read is audited
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: StaffCaseView}}}
        """
        case = self.tracking.staff_case(case_number, actor)
        petition = self.intake.petitioner(case_number, actor)
        return schemas.StaffCaseView().dump({
            **petition, **case, "rating": self.rating.get(case_number)})

    @http("POST", f"{API}/cases/<string(maxlength=40):case_number>/<any({','.join(STAFF_ACTIONS)}):action>")
    @staff_only
    def case_step(self, request, actor, case_number, action):
        """A step of the case work (one row of the workflow tables, GET /workflows)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: "the step is taken (or it was, by the same request)",
                  content: {application/json: {schema: StepResultSchema}}}
          "409": {description: "the case is in a state the step cannot start from",
                  content: {application/json: {schema: Error}}}
        """
        body = json_body(request, optional=True)
        return StepResultSchema().dump(self.tracking.act(case_number, action, actor, body))

    case_step.describe = staticmethod(lambda action: _step_operation(action))

    @http("GET", f"{API}/supervision")
    @staff_only
    def supervision_queue(self, request, actor):
        """Supervision orders (督办单): the bureau's for its jurisdiction, a unit's its own
        ---
        security: [{bearer: []}]
        parameters:
          - {name: status, in: query, schema: {type: string, enum: [open, answered, escalated, closed]}}
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: OrderSchema}}}}
        """
        return OrderSchema(many=True).dump(
            self.tracking.supervision_orders(actor, request.args.get("status")))

    @http("GET", f"{API}/supervision/units")
    @staff_only
    def supervision_record(self, request, actor):
        """Per unit, its supervision orders and how many were counted against it
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: UnitSupervisionSchema}}}}
        """
        return UnitSupervisionSchema(many=True).dump(self.tracking.supervision_record(actor))

    @http("POST", f"{API}/spot-checks")
    @staff_only
    def draw_spot_check(self, request, actor):
        """Draw a random spot check (抽查) of a unit's concluded cases; seed and draw are recorded
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: SpotCheckDrawSchema}}}
        responses:
          "201": {description: drawn, content: {application/json: {schema: SpotCheckSchema}}}
        """
        return 201, SpotCheckSchema().dump(
            self.tracking.draw_spot_check(actor, json_body(request)))

    @http("GET", f"{API}/spot-checks/<int(min=1, max=2147483647):spot_check_id>")
    @staff_only
    def spot_check(self, request, actor, spot_check_id):
        """A recorded spot check, drawn again from its seed to show it reproduces
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: SpotCheckSchema}}}
        """
        return SpotCheckSchema().dump(self.tracking.spot_check(actor, spot_check_id))

    @http("GET", f"{API}/workflows")
    def workflows(self, request):
        """The case's workflow tables: each step, its states, who may take it, its event
        ---
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: Workflow}}}}
        """
        return schemas.Workflow(many=True).dump(WORKFLOWS)

    # -- figures: public results and the assessment -----------------------

    @http("GET", f"{API}/public/scoreboard")
    def scoreboard(self, request):
        """The public scoreboard of units: volume, on-time and satisfaction rates (公开)
        ---
        parameters: [period]
        responses:
          "200": {description: "every unit with cases in the period, and the method of each figure",
                  content: {application/json: {schema: ScoreboardSchema}}}
        """
        board = self.reports.scoreboard(request.args.to_dict())
        return json_response(reports_schemas.ScoreboardSchema().dump(board), headers=PUBLIC_CACHE)

    @http("GET", f"{API}/public/cases")
    def published_cases(self, request):
        """Concluded cases, public and masked: category, area, unit, timeline, ratings (结果公开)
        ---
        parameters:
          - period
          - area
          - unit_category
          - {name: limit, in: query, schema: {type: integer, default: 20, maximum: 100}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        responses:
          "200": {description: "a page of the cases concluded in the period, newest first; not those the petitioner kept private or staff withheld",
                  content: {application/json: {schema: PublishedCasesSchema}}}
        """
        page = self.reports.published_cases(request.args.to_dict())
        return json_response(reports_schemas.PublishedCasesSchema().dump(page), headers=PUBLIC_CACHE)

    @http("GET", f"{API}/public/open-data.csv")
    def open_data(self, request):
        """Open data: the concluded public cases of the period, anonymised, as CSV (开放数据)
        ---
        parameters:
          - period
          - area
          - unit_category
        responses:
          "200": {description: "UTF-8 CSV with a BOM: no case number, days not moments",
                  content: {text/csv: {schema: {type: string}}}}
        """
        document = self.reports.open_data(request.args.to_dict())
        return _download(document["text"].encode("utf-8"), document, PUBLIC_CACHE)

    @http("POST", f"{API}/reports/cases/<string:case_number>/withhold")
    @staff_only
    def withhold(self, request, actor, case_number):
        """Withhold a concluded case from the public list, with the reason (bureau)
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: WithholdSchema}}}
        responses:
          "200": {description: withheld, content: {application/json: {schema: WithheldSchema}}}
        """
        body = reports_schemas.WithholdSchema().load(json_body(request))
        return reports_schemas.WithheldSchema().dump(self.reports.withhold(case_number, body["reason"], actor))

    @http("GET", f"{API}/reports/figures")
    @staff_only
    def figures(self, request, actor):
        """Figures for the caller's unit, or its jurisdiction for a bureau (统计)
        ---
        security: [{bearer: []}]
        parameters: [period, area, filters]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: FigureRowSchema}}}}
        """
        rows = self.reports.figures(request.args.to_dict(), actor)
        return json_response(reports_schemas.FigureRowSchema(many=True).dump(rows), headers=STAFF_CACHE)

    @http("GET", f"{API}/reports/trends")
    @staff_only
    def trends(self, request, actor):
        """Daily series and hot spots: categories, areas and title words rising fastest (形势研判)
        ---
        security: [{bearer: []}]
        parameters:
          - {name: date, in: query, description: "the last day (default today)", schema: {type: string, format: date}}
          - {name: days, in: query, description: "the window, against the one before it", schema: {type: integer, default: 7, maximum: 92}}
          - {name: limit, in: query, schema: {type: integer, default: 10}}
          - {name: area_code, in: query, schema: {type: string}}
        responses:
          "200": {description: ok, content: {application/json: {schema: TrendsSchema}}}
        """
        trends = self.reports.trends(request.args.to_dict(), actor)
        return json_response(reports_schemas.TrendsSchema().dump(trends), headers=STAFF_CACHE)

    @http("GET", f"{API}/reports/assessment")
    @staff_only
    def assessment(self, request, actor):
        """The assessment table: every unit's figures, weighted score and rank (考核)
        ---
        security: [{bearer: []}]
        parameters: [period, area]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: AssessmentRowSchema}}}}
        """
        rows = self.reports.assessment(request.args.to_dict(), actor)
        return json_response(reports_schemas.AssessmentRowSchema(many=True).dump(rows), headers=STAFF_CACHE)

    @http("GET", f"{API}/reports/lagging")
    @staff_only
    def lagging(self, request, actor):
        """Lagging units (后进单位), worst first, each with the rules it broke
        ---
        security: [{bearer: []}]
        parameters: [period, area]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: AssessmentRowSchema}}}}
        """
        rows = self.reports.lagging(request.args.to_dict(), actor)
        return json_response(reports_schemas.AssessmentRowSchema(many=True).dump(rows), headers=STAFF_CACHE)

    @http("GET", f"{API}/reports/export/<string:table>.csv")
    @staff_only
    def export_csv(self, request, actor, table):
        """A table as CSV: figures (with by=...), assessment or lagging
        ---
        security: [{bearer: []}]
        parameters: [period, area, filters]
        responses:
          "200": {description: "UTF-8 CSV with a BOM", content: {text/csv: {schema: {type: string}}}}
        """
        document = self.reports.export(table, request.args.to_dict(), actor)
        return _download(document["text"].encode("utf-8"), document, STAFF_CACHE)

    @http("GET", f"{API}/reports/bulletins")
    @staff_only
    def bulletins(self, request, actor):
        """The bulletins made on schedule: each month's and quarter's, xlsx and pdf (bureau)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: newest first, content: {application/json: {schema: {type: array, items: StoredBulletinSchema}}}}
        """
        return reports_schemas.StoredBulletinSchema(many=True).dump(self.reports.bulletins(actor))

    @http("GET", f"{API}/reports/bulletins/<int:bulletin_id>")
    @staff_only
    def stored_bulletin(self, request, actor, bulletin_id):
        """One scheduled bulletin, as it was made
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: "the document (xlsx or pdf)", content: {application/octet-stream: {schema: {type: string, format: binary}}}}
        """
        document = self.reports.stored_bulletin(bulletin_id, actor)
        return _download(base64.b64decode(document["base64"]), document, STAFF_CACHE)

    @http("GET", f"{API}/reports/bulletin.<string:document_format>")
    @staff_only
    def bulletin(self, request, actor, document_format):
        """The bulletin (通报), xlsx or pdf: figures, units, lagging units named, charts
        ---
        security: [{bearer: []}]
        parameters: [period, area]
        responses:
          "200": {description: "an XLSX workbook, or a printable PDF in Chinese",
                  content: {application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: {schema: {type: string, format: binary}},
                            application/pdf: {schema: {type: string, format: binary}}}}
        """
        document = self.reports.bulletin(request.args.to_dict(), actor, document_format)
        return _download(base64.b64decode(document["base64"]), document, STAFF_CACHE)

    # -- documents, pages, probes -----------------------------------------

    @http("GET", f"{API}/openapi.json")
    def openapi_document(self, request):
        """This document
        ---
        responses:
          "200": {description: "the OpenAPI document", content: {application/json: {schema: {type: object}}}}
        """
        return openapi.document(GatewayService)

    @http("GET", "/")
    def citizen_page(self, request):
        """The citizens' page: submit, follow and rate a petition
        ---
        responses:
          "200": {description: "the page", content: {text/html: {schema: {type: string}}}}
        """
        return pages.citizen()

    @http("GET", "/healthz")
    def health(self, request):
        """Liveness probe
        ---
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: object,
                  properties: {status: {type: string}}}}}}
        """
        return {"status": "ok"}

    def _public_case(self, case_number):
        # Tracking learns of a petition by event, a moment after intake answered.
        try:
            return self.tracking.get_case(case_number)
        except NotFound:
            return {"status": events.SUBMITTED, "timeline": []}


def _download(body, document, cache):
    return Response(body, headers={
        **cache, "Content-Disposition": f'attachment; filename="{document["filename"]}"'},
        content_type=document["content_type"])
