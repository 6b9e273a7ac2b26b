"""The grid agent's page (/agent) and its routes: a signed-in grid agent
(信访代理员, core.roles.GRID_AGENT) submits for a citizen of the grid with the
citizen's consent recorded (how and when given; intake stores it and checks
the agent and the grid), and sees the petitions they submitted with their
status."""
from core.once import new_request_id
from services.gateway import schemas
from services.gateway.auth import agent_only
from services.gateway.forward import answers, idempotency_key
from services.gateway.http import API, client_address, http
from services.gateway.routes.citizens import submission_body
from services.gateway.routes.portal import page_route
from services.intake.schemas import SubmittedSchema


class AgentRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    agent_page = page_route({"/agent": "console/agent"}, "The grid agent's page: submit for a "
                            "citizen with their consent, follow what was submitted")

    @http("POST", f"{API}/agent/petitions")
    @agent_only
    @answers(SubmittedSchema, status=201,
             said="accepted; tell the citizen the query code (also sent by SMS)")
    def agent_submit(self, request, actor):
        """A grid agent submits for a citizen of the grid, with the citizen's SMS code and consent
        ---
        description: "Sent again with the same `Idempotency-Key` (the agent's page keeps it
          while an answer is unsure), it gets the first receipt back, not a second petition."
        parameters:
          - idempotency_key
        requestBody: SubmissionSchema
        responses:
          "403": {description: "not a grid agent, or the area is outside the grid", content: {application/json: {schema: Error}}}
        """
        body = submission_body(request)
        consent = body.pop("consent", None)
        return self.intake.submit_by_agent(actor, self.submissions.seal(body), consent,
                                           new_request_id(), client_address(request),
                                           idempotency_key(request))

    @http("GET", f"{API}/agent/petitions")
    @agent_only
    @answers(schemas.AgentPetitionView, many=True)
    def agent_petitions(self, request, actor):
        """The petitions the signed-in agent submitted, newest first, with their status"""
        found = []
        for petition in self.intake.agent_petitions(actor):
            case = self._public_case(petition["case_number"])
            found.append({**petition, "status": case["status"], "unit_name": case.get("unit_name"),
                          "due_date": case.get("due_date")})
        return found

