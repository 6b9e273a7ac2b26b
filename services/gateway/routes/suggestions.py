"""People's suggestions (人民建议征集): proposing, following by query code, the
solicitation topics, the published adopted proposals; the bureau's and the
departments' steps. Their figures are reports' (routes/figures.py)."""
from core.once import new_request_id
from services.gateway.forward import (
    ACTOR,
    PUBLIC,
    answers,
    body,
    forward,
    optional_body,
    query,
    query_arg,
)
from services.gateway.http import API, PUBLIC_CACHE, http
from services.gateway.routes.citizens import submission_body
from services.suggestions import schemas
from services.suggestions.workflow import STEPS


def step_operation(action):
    """The OpenAPI operation of one step of a proposal's review, read off its row."""
    step = STEPS[action]
    return {"summary": f"{step.name_zh} ({action}) of a proposal",
            "description": f"by the {step.who}; from {', '.join(sorted(step.from_states))} "
                           f"to {step.to_state}; needs {', '.join(step.needs) or 'nothing'}"}


class SuggestionRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("POST", f"{API}/suggestions")
    @answers(schemas.ProposalReceiptSchema, status=201,
             said="received; the query code is shown only here and by SMS")
    def propose(self, request):
        """Submit a proposal (提交人民建议) with the code texted to its phone (POST /phone-codes)
        ---
        requestBody: ProposalSubmissionSchema
        """
        return self.suggestions.submit(self.submissions.seal(submission_body(request)),
                                       new_request_id())

    follow_proposal = forward(
        "GET", f"{API}/suggestions/<string(maxlength=40):query_code>", "suggestions.follow",
        "query_code", answer=schemas.ProposalViewSchema, who=PUBLIC, doc="""
        Follow a proposal by its query code (查询建议办理情况)
        ---
        responses:
          "200": {description: "status, timeline and the department's answer; personal data masked"}
        """)

    suggestion_topics = forward(
        "GET", f"{API}/suggestion-topics", "suggestions.topics",
        answer=schemas.SuggestionTopicSchema, many=True, who=PUBLIC, headers=PUBLIC_CACHE,
        doc="The solicitation topics (征集主题), with their periods and answering departments")

    open_suggestion_topic = forward(
        "POST", f"{API}/suggestion-topics", "suggestions.open_topic", body, ACTOR,
        answer=schemas.SuggestionTopicSchema, status=201, doc="""
        Open a solicitation topic (bureau)
        ---
        requestBody: SuggestionTopicInputSchema
        responses: {"201": {description: opened}}
        """)

    published_proposals = forward(
        "GET", f"{API}/public/suggestions", "suggestions.published", query_arg("limit", 20),
        query_arg("offset", 0), answer=schemas.PublishedProposalSchema, many=True, who=PUBLIC,
        headers=PUBLIC_CACHE, doc="""
        Adopted proposals, published with the department's answer (masked)
        ---
        parameters:
          - {name: limit, in: query, schema: {type: integer, default: 20, maximum: 100}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        responses: {"200": {description: "newest first"}}
        """)

    proposals = forward(
        "GET", f"{API}/proposals", "suggestions.list_proposals", query, ACTOR,
        answer=schemas.ProposalViewSchema, many=True, doc="""
        Proposals: a bureau's (its jurisdiction), a department's (forwarded to it)
        ---
        parameters:
          - {name: status, in: query, schema: {type: string}}
          - {name: topic_id, in: query, schema: {type: integer}}
        """)

    proposal_step = forward(
        "POST", f"{API}/proposals/<string(maxlength=40):number>/<any({','.join(STEPS)}):action>",
        "suggestions.act", "number", "action", optional_body, ACTOR,
        answer=schemas.ProposalViewSchema, describe=step_operation, doc="""
        A step of a proposal's review (受理, 合并, 不予采纳, 转交, 采纳, 不采纳, 公开)
        ---
        requestBody: {content: {application/json: {schema: ProposalStepInputSchema}}}
        responses:
          "200": {description: "taken"}
          "409": {description: "not possible in the proposal's state", content: {application/json: {schema: Error}}}
        """)
