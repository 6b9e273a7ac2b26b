"""Messages (留言): the petitioner's by query code, the handling unit's answers.
Intake owns them (encrypted, every staff read audited); the scope is tracking's."""
from services.gateway.auth import staff_only
from services.gateway.http import API, http, json_body
from services.intake.schemas import CaseMessageSchema


class MessageRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("POST", f"{API}/petitions/<string(maxlength=40):query_code>/messages")
    def leave_message(self, request, query_code):
        """Leave a message on one's open case (留言)
        ---
        requestBody: {required: true, content: {application/json: {schema: CaseMessageInputSchema}}}
        responses:
          "201": {description: "kept (the same text sent again at once is the same message)",
                  content: {application/json: {schema: CaseMessageSchema}}}
          "409": {description: "the case is closed, or holds the most messages it may",
                  content: {application/json: {schema: Error}}}
        """
        return 201, CaseMessageSchema().dump(self.intake.leave_message(query_code, json_body(request)))

    @http("GET", f"{API}/petitions/<string(maxlength=40):query_code>/messages")
    def petitioner_messages(self, request, query_code):
        """One's messages on the case and the unit's answers, oldest first
        ---
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: CaseMessageSchema}}}}
        """
        return CaseMessageSchema(many=True).dump(self.intake.petitioner_messages(query_code))

    @http("POST", f"{API}/cases/<string(maxlength=40):case_number>/messages")
    @staff_only
    def answer_message(self, request, actor, case_number):
        """Answer the petitioner's messages, as the handling unit
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: CaseMessageInputSchema}}}
        responses:
          "201": {description: kept, content: {application/json: {schema: CaseMessageSchema}}}
        """
        return 201, CaseMessageSchema().dump(
            self.intake.answer_message(case_number, actor, json_body(request)))

    @http("GET", f"{API}/cases/<string(maxlength=40):case_number>/messages")
    @staff_only
    def case_messages(self, request, actor, case_number):
        """A case's messages both ways; the read is audited
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: CaseMessageSchema}}}}
        """
        return CaseMessageSchema(many=True).dump(self.intake.case_messages(case_number, actor))
