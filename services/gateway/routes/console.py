"""The staff console (/staff), and the API routes only it needed: the
audited "show" of a petitioner's data, the audit log of personal-data reads,
routing rules with who changed what, the caseload by status and track.

The pages are files in static/console/ served as every page is (pages.py:
its Content-Security-Policy, assets under /static/; Chart.js vendored with its
licence in static/vendor/chartjs/): nothing loads from elsewhere."""
from services.gateway.forward import ACTOR, body, forward, query
from services.gateway.http import API
from services.gateway.routes.portal import page_route
from services.intake.schemas import PersonalReadSchema, RevealedSchema
from services.routing.schemas import RuleChangeSchema, RuleSchema
from services.tracking.schemas import CaseloadSchema


class ConsoleRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    staff_page = page_route({"/staff": "console/staff"}, "The staff console: work queue, case "
                            "page, the bureau's pages, the dashboard")

    reveal_petitioner = forward(
        "POST", f"{API}/cases/<string(maxlength=40):case_number>/petitioner/reveal",
        "intake.reveal_petitioner", "case_number", ACTOR, answer=RevealedSchema, doc="""
        Show the petitioner's name, ID number and phone in full (audited; handlers, unit leaders, bureau supervisors)
        ---
        responses:
          "200": {description: "unmasked; the read is in the audit log"}
          "403": {description: "the role may not", content: {application/json: {schema: Error}}}
        """)

    personal_data_reads = forward(
        "GET", f"{API}/audit/personal-data-reads", "intake.personal_data_reads", ACTOR, query,
        answer=PersonalReadSchema, many=True, doc="""
        The audit log of personal-data reads in the bureau's jurisdiction: who read whose record, when, from which case
        ---
        parameters:
          - {name: case_number, in: query, schema: {type: string, maxLength: 20}}
          - {name: reader, in: query, description: "a username", schema: {type: string, maxLength: 50}}
          - {name: limit, in: query, schema: {type: integer, default: 100, maximum: 500}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        responses: {"200": {description: newest first}}
        """)

    caseload = forward(
        "GET", f"{API}/reports/caseload", "tracking.caseload", ACTOR, answer=CaseloadSchema,
        doc="The cases the caller may see, by status and by track (the dashboard)")

    # Any staff may read the rules (staff_only); routing's call takes no caller.
    routing_rules = forward(
        "GET", f"{API}/routing/rules", "routing.rules", answer=RuleSchema, many=True,
        doc="The routing rules: (category, area) -> unit and track")

    change_routing_rule = forward(
        "PUT", f"{API}/routing/rules", "routing.change_rule", ACTOR, body, answer=RuleSchema, doc="""
        Add or change the rule for a category and an area of the bureau's jurisdiction; recorded with who changed it
        ---
        requestBody: SetRuleSchema
        responses:
          "200": {description: "the rule as it now is"}
          "403": {description: "not a bureau, or the area is outside its jurisdiction", content: {application/json: {schema: Error}}}
        """)

    routing_rule_changes = forward(
        "GET", f"{API}/routing/rules/changes", "routing.rule_changes", ACTOR,
        answer=RuleChangeSchema, many=True, doc="""
        Who changed which routing rule, when, from what to what (the bureau's jurisdiction)
        ---
        responses: {"200": {description: newest first}}
        """)
