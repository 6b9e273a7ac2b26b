"""Staff routes: signing in, the work queue, the case's steps, supervision
and spot checks, the workflow tables."""


from services.gateway import schemas
from services.gateway.auth import signed_in, staff_only
from services.gateway.forward import (
    ACTOR,
    answers,
    body,
    forward,
    optional_body,
    query_arg,
    request_id,
)
from services.gateway.http import API, client_address, http, json_body
from services.gateway.openapi import step_operation
from services.tracking.schemas import (
    QUEUE_PAGE_MAX,
    CaseSummarySchema,
    OrderSchema,
    QueueTotalsSchema,
    SpotCheckSchema,
    StepResultSchema,
    UnitSupervisionSchema,
)
from services.tracking.workflows import STAFF_ACTIONS, WORKFLOWS

# the work queue's filters besides status and the page (tracking's QueueFilterSchema)
QUEUE_FILTERS = ("queue", "sort", "search", "unit_code")


def _queue_filters(request, names=QUEUE_FILTERS):
    return {name: request.args[name] for name in names if request.args.get(name)}


class StaffRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("POST", f"{API}/auth/token")
    @answers(schemas.Token)
    def issue_token(self, request):
        """Sign in as staff of a unit; returns a bearer token
        ---
        requestBody: Credentials
        responses:
          "401": {description: "wrong username or password", content: {application/json: {schema: Error}}}
        """
        credentials = schemas.Credentials().load(json_body(request))
        actor = self.routing.authenticate(credentials["username"], credentials["password"],
                                          client_address(request))
        token, expires_in = self.tokens.issue(actor)
        return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in,
                "actor": actor}

    @http("POST", f"{API}/auth/password")
    @signed_in
    @answers(schemas.PasswordChanged, said="changed; sign in again with the new password")
    def change_password(self, request, actor):
        """Change the signed-in account's password (required first for a one-time password)
        ---
        requestBody: PasswordChange
        """
        body = schemas.PasswordChange().load(json_body(request))
        return self.routing.change_password(actor["username"], body["old_password"],
                                            body["new_password"], client_address(request))

    @http("GET", f"{API}/cases")
    @staff_only
    @answers(CaseSummarySchema, many=True)
    def work_queue(self, request, actor):
        """The caller's work queue: its unit's cases, or its jurisdiction's for a bureau
        ---
        parameters:
          - queue_filters
          - {name: sort, in: query, description: "urgent (supervised, then due date), newest, oldest",
             schema: {type: string, enum: [urgent, newest, oldest], default: urgent}}
          - {name: limit, in: query, schema: {type: integer, default: 100, maximum: 500}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        """
        args = request.args
        return self.tracking.list_cases(actor, args.get("status"), args.get("limit", 100),
                                        args.get("offset", 0), **_queue_filters(request))

    @http("GET", f"{API}/cases/totals")
    @staff_only
    @answers(QueueTotalsSchema)
    def work_queue_totals(self, request, actor):
        """How many cases the work queue's filters match, and per status and per view (the console's tabs)
        ---
        parameters: [queue_filters]
        """
        return self.tracking.queue_totals(
            actor, **_queue_filters(request, ("status",) + QUEUE_FILTERS))

    @http("GET", f"{API}/cases/<string(maxlength=40):case_number>")
    @staff_only
    @answers(schemas.StaffCaseView)
    def staff_case(self, request, actor, case_number):
        """One case with its petitioner (masked); the read is audited"""
        case = self.tracking.staff_case(case_number, actor)
        petition = self.intake.petitioner(case_number, actor)
        return {**petition, **case, "rating": self.rating.get(case_number)}

    case_step = forward(
        "POST", f"{API}/cases/<string(maxlength=40):case_number>/<any({','.join(STAFF_ACTIONS)}):action>",
        "tracking.act", "case_number", "action", ACTOR, optional_body, answer=StepResultSchema,
        describe=step_operation, doc="""
        A step of the case work (one row of the workflow tables, GET /workflows)
        ---
        responses:
          "200": {description: "the step is taken (or it was, by the same request)"}
          "409": {description: "the case is in a state the step cannot start from",
                  content: {application/json: {schema: Error}}}
        """)

    supervision_queue = forward(
        "GET", f"{API}/supervision", "tracking.supervision_orders", ACTOR, query_arg("status"),
        query_arg("limit", QUEUE_PAGE_MAX), query_arg("offset", 0), answer=OrderSchema,
        many=True, doc="""
        Supervision orders (督办单): the bureau's for its jurisdiction, a unit's its own
        ---
        parameters:
          - {name: status, in: query, schema: {type: string, enum: [open, answered, escalated, closed]}}
          - {name: limit, in: query, schema: {type: integer, default: 500, maximum: 500}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        """)

    supervision_record = forward(
        "GET", f"{API}/supervision/units", "tracking.supervision_record", ACTOR,
        answer=UnitSupervisionSchema, many=True,
        doc="Per unit, its supervision orders and how many were counted against it")

    draw_spot_check = forward(
        "POST", f"{API}/spot-checks", "tracking.draw_spot_check", ACTOR, body, request_id,
        answer=SpotCheckSchema, status=201, doc="""
        Draw a random spot check (抽查) of a unit's concluded cases; seed and draw are recorded
        ---
        requestBody: SpotCheckDrawSchema
        responses: {"201": {description: drawn}}
        """)

    spot_check = forward(
        "GET", f"{API}/spot-checks/<int(min=1, max=2147483647):spot_check_id>",
        "tracking.spot_check", ACTOR, "spot_check_id", answer=SpotCheckSchema,
        doc="A recorded spot check, drawn again from its seed to show it reproduces")

    @http("GET", f"{API}/workflows")
    @answers(schemas.Workflow, many=True)
    def workflows(self, request):
        """The case's workflow tables: each step, its states, who may take it, its event"""
        return WORKFLOWS

