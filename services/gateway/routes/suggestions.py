"""People's suggestions (人民建议征集): proposing, following by query code, the
solicitation topics, the published adopted proposals; the bureau's and the
departments' steps. Their figures are reports' (routes/figures.py)."""
from services.gateway.auth import staff_only
from services.gateway.http import API, PUBLIC_CACHE, http, json_body, json_response
from services.gateway.routes.citizens import SUBMISSION_MAX_BYTES
from services.intake.query_codes import new_submission_id
from services.suggestions import schemas
from services.suggestions.workflow import STEPS


class SuggestionRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("POST", f"{API}/suggestions")
    def propose(self, request):
        """Submit a proposal (提交人民建议) with the code texted to its phone (POST /phone-codes)
        ---
        requestBody: {required: true, content: {application/json: {schema: ProposalSubmissionSchema}}}
        responses:
          "201": {description: "received; the query code is shown only here and by SMS",
                  content: {application/json: {schema: ProposalReceiptSchema}}}
        """
        return 201, schemas.ProposalReceiptSchema().dump(self.suggestions.submit(
            self.submissions.seal(json_body(request, SUBMISSION_MAX_BYTES)), new_submission_id()))

    @http("GET", f"{API}/suggestions/<string(maxlength=40):query_code>")
    def follow_proposal(self, request, query_code):
        """Follow a proposal by its query code (查询建议办理情况)
        ---
        responses:
          "200": {description: "status, timeline and the department's answer; personal data masked",
                  content: {application/json: {schema: ProposalViewSchema}}}
        """
        return schemas.ProposalViewSchema().dump(self.suggestions.follow(query_code))

    @http("GET", f"{API}/suggestion-topics")
    def suggestion_topics(self, request):
        """The solicitation topics (征集主题), with their periods and answering departments
        ---
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: SuggestionTopicSchema}}}}
        """
        return json_response(schemas.SuggestionTopicSchema(many=True).dump(self.suggestions.topics()),
                             headers=PUBLIC_CACHE)

    @http("POST", f"{API}/suggestion-topics")
    @staff_only
    def open_suggestion_topic(self, request, actor):
        """Open a solicitation topic (bureau)
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: SuggestionTopicInputSchema}}}
        responses:
          "201": {description: opened, content: {application/json: {schema: SuggestionTopicSchema}}}
        """
        return 201, schemas.SuggestionTopicSchema().dump(
            self.suggestions.open_topic(json_body(request), actor))

    @http("GET", f"{API}/public/suggestions")
    def published_proposals(self, request):
        """Adopted proposals, published with the department's answer (masked)
        ---
        parameters:
          - {name: limit, in: query, schema: {type: integer, default: 20, maximum: 100}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        responses:
          "200": {description: "newest first", content: {application/json: {schema: {type: array, items: PublishedProposalSchema}}}}
        """
        page = self.suggestions.published(request.args.get("limit", 20),
                                          request.args.get("offset", 0))
        return json_response(schemas.PublishedProposalSchema(many=True).dump(page),
                             headers=PUBLIC_CACHE)

    @http("GET", f"{API}/proposals")
    @staff_only
    def proposals(self, request, actor):
        """Proposals: a bureau's (its jurisdiction), a department's (forwarded to it)
        ---
        security: [{bearer: []}]
        parameters:
          - {name: status, in: query, schema: {type: string}}
          - {name: topic_id, in: query, schema: {type: integer}}
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: ProposalViewSchema}}}}
        """
        return schemas.ProposalViewSchema(many=True).dump(
            self.suggestions.list_proposals(request.args.to_dict(), actor))

    @http("POST", f"{API}/proposals/<string(maxlength=40):number>/<any({','.join(STEPS)}):action>")
    @staff_only
    def proposal_step(self, request, actor, number, action):
        """A step of a proposal's review (受理, 合并, 不予采纳, 转交, 采纳, 不采纳, 公开)
        ---
        security: [{bearer: []}]
        requestBody: {content: {application/json: {schema: ProposalStepInputSchema}}}
        responses:
          "200": {description: "taken", content: {application/json: {schema: ProposalViewSchema}}}
          "409": {description: "not possible in the proposal's state", content: {application/json: {schema: Error}}}
        """
        return schemas.ProposalViewSchema().dump(self.suggestions.act(
            number, action, json_body(request, optional=True), actor))

    proposal_step.describe = staticmethod(lambda action: {
        "summary": f"{STEPS[action].name_zh} ({action}) of a proposal",
        "description": f"by the {STEPS[action].who}; from {', '.join(sorted(STEPS[action].from_states))} "
                       f"to {STEPS[action].to_state}; needs {', '.join(STEPS[action].needs) or 'nothing'}"})
