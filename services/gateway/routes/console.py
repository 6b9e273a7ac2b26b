"""The staff console (/staff), and the API routes only it needed: the
audited "show" of a petitioner's data, the audit log of personal-data reads,
routing rules with who changed what, the caseload by status and track.

The pages are files in static/console/ served as every page is (pages.py:
its Content-Security-Policy, assets under /static/; Chart.js vendored with its
licence in static/vendor/chartjs/): nothing loads from elsewhere."""
from services.gateway import pages
from services.gateway.auth import staff_only
from services.gateway.http import API, http, json_body
from services.intake.schemas import PersonalReadSchema, RevealedSchema
from services.routing.schemas import RuleChangeSchema, RuleSchema
from services.tracking.schemas import CaseloadSchema


class ConsoleRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("GET", "/staff")
    def staff_page(self, request):
        """The staff console: work queue, case page, the bureau's pages, the dashboard
        ---
        responses:
          "200": {description: "the page", content: {text/html: {schema: {type: string}}}}
        """
        return pages.page("console/staff")

    @http("POST", f"{API}/cases/<string(maxlength=40):case_number>/petitioner/reveal")
    @staff_only
    def reveal_petitioner(self, request, actor, case_number):
        """Show the petitioner's name, ID number and phone in full (audited; handlers, unit leaders, bureau supervisors)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: "unmasked; the read is in the audit log", content: {application/json: {schema: RevealedSchema}}}
          "403": {description: "the role may not", content: {application/json: {schema: Error}}}
        """
        return RevealedSchema().dump(self.intake.reveal_petitioner(case_number, actor))

    @http("GET", f"{API}/audit/personal-data-reads")
    @staff_only
    def personal_data_reads(self, request, actor):
        """The audit log of personal-data reads in the bureau's jurisdiction: who read whose record, when, from which case
        ---
        security: [{bearer: []}]
        parameters:
          - {name: case_number, in: query, schema: {type: string, maxLength: 20}}
          - {name: reader, in: query, description: "a username", schema: {type: string, maxLength: 50}}
          - {name: limit, in: query, schema: {type: integer, default: 100, maximum: 500}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        responses:
          "200": {description: newest first, content: {application/json: {schema: {type: array, items: PersonalReadSchema}}}}
        """
        return PersonalReadSchema(many=True).dump(
            self.intake.personal_data_reads(actor, request.args.to_dict()))

    @http("GET", f"{API}/reports/caseload")
    @staff_only
    def caseload(self, request, actor):
        """The cases the caller may see, by status and by track (the dashboard)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: CaseloadSchema}}}
        """
        return CaseloadSchema().dump(self.tracking.caseload(actor))

    @http("GET", f"{API}/routing/rules")
    @staff_only
    def routing_rules(self, request, actor):
        """The routing rules: (category, area) -> unit and track
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: RuleSchema}}}}
        """
        return RuleSchema(many=True).dump(self.routing.rules())

    @http("PUT", f"{API}/routing/rules")
    @staff_only
    def change_routing_rule(self, request, actor):
        """Add or change the rule for a category and an area of the bureau's jurisdiction; recorded with who changed it
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: SetRuleSchema}}}
        responses:
          "200": {description: "the rule as it now is", content: {application/json: {schema: RuleSchema}}}
          "403": {description: "not a bureau, or the area is outside its jurisdiction", content: {application/json: {schema: Error}}}
        """
        return RuleSchema().dump(self.routing.change_rule(actor, json_body(request)))

    @http("GET", f"{API}/routing/rules/changes")
    @staff_only
    def routing_rule_changes(self, request, actor):
        """Who changed which routing rule, when, from what to what (the bureau's jurisdiction)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: newest first, content: {application/json: {schema: {type: array, items: RuleChangeSchema}}}}
        """
        return RuleChangeSchema(many=True).dump(self.routing.rule_changes(actor))
