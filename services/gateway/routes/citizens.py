"""Citizens' routes: the one-time code, submitting, following, the
petitioner's steps and the rating; the reference data a form needs (the
directory's categories, areas and units)."""

import eventlet

from core import events
from core.errors import NotFound
from core.once import new_request_id
from services.gateway import schemas
from services.gateway.forward import PUBLIC, answers, forward, idempotency_key
from services.gateway.http import API, client_address, http, json_body
from services.gateway.openapi import step_operation
from services.intake.schemas import SubmittedSchema
from services.rating.schemas import RatingSchema
from services.routing.schemas import AreaSchema, CategorySchema, UnitSchema
from services.tracking.schemas import StepResultSchema
from services.tracking.workflows import PETITIONER_ACTIONS

# A petition's text is up to 5,000 characters (3 bytes each in UTF-8) besides
# its other fields; every other body is small (http.MAX_BODY_BYTES).
SUBMISSION_MAX_BYTES = 64 * 1024
# The parts of routing's reference data a form needs, each in routing's
# schema, and what it is: a route each (GET /categories, GET /areas).
REFERENCE = {
    "categories": (CategorySchema, "The categories a petition can have"),
    "areas": (AreaSchema, "The areas a petition can concern (city, districts and counties, towns)"),
}


def submission_body(request):
    """The JSON body of a petition or a proposal: up to SUBMISSION_MAX_BYTES."""
    return json_body(request, SUBMISSION_MAX_BYTES)


class CitizenRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("POST", f"{API}/phone-codes")
    @answers(schemas.PhoneCodeSent, status=202, said="the code is on its way by SMS")
    def request_phone_code(self, request):
        """Text a one-time code to the petitioner's phone (获取短信验证码)
        ---
        requestBody: PhoneCodeRequestSchema
        responses:
          "429": {description: "too many codes asked for this phone, ID number or address",
                  headers: {Retry-After: {schema: {type: integer}}},
                  content: {application/json: {schema: Error}}}
        """
        return self.intake.request_phone_code(self.submissions.seal(json_body(request)),
                                              client_address(request))

    @http("POST", f"{API}/petitions")
    @answers(SubmittedSchema, status=201,
             said="accepted; the query code is shown only here and by SMS")
    def submit_petition(self, request):
        """Submit a petition (提交信访事项) with the code texted to its phone
        ---
        description: "A client that may send its request again (a lost connection, a
          double tap) sends the same `Idempotency-Key` each time: a retry gets the first
          receipt back instead of a second petition. The key counts only with the same ID
          number and phone: another person's key never returns this person's receipt."
        parameters:
          - idempotency_key
        requestBody: SubmissionSchema
        responses:
          "429": {description: "too many petitions for this ID number today, or from this address",
                  headers: {Retry-After: {schema: {type: integer}}},
                  content: {application/json: {schema: Error}}}
        """
        # One id per request: if intake commits and dies before answering, the
        # redelivered request finds the petition instead of storing it twice.
        submission_id = new_request_id()
        key = idempotency_key(request)
        return self.intake.submit(self.submissions.seal(submission_body(request)), submission_id,
                                  client_address(request), key)

    @http("GET", f"{API}/petitions/<string(maxlength=40):query_code>")
    @answers(schemas.PetitionView, said="status, unit, track, due date, timeline, reply and "
                                        "rating; personal data masked")
    def follow_petition(self, request, query_code):
        """Follow a petition by its query code (查询办理进度)"""
        petition = self.intake.lookup(query_code)
        case_number = petition["case_number"]
        # Tracking and rating are asked at the same time: the citizen waits
        # for the slower of the two, not for both in turn.
        case = eventlet.spawn(self._public_case, case_number)
        rating = eventlet.spawn(self.rating.get, case_number)
        return {**petition, **case.wait(), "rating": rating.wait()}

    @http("POST", f"{API}/petitions/<string(maxlength=40):query_code>/<any({','.join(PETITIONER_ACTIONS)}):action>")
    @answers(StepResultSchema, said="asked")
    def petitioner_step(self, request, query_code, action):
        """A petitioner's step: ask for a review (复查) or a re-review (复核)
        ---
        responses:
          "409": {description: "not replied, already asked, or the 30 days are over",
                  content: {application/json: {schema: Error}}}
        """
        case_number = self.intake.case_number_for(query_code)
        return self.tracking.petitioner_act(case_number, action, json_body(request))

    petitioner_step.describe = staticmethod(lambda action: step_operation(action))

    @http("POST", f"{API}/petitions/<string(maxlength=40):query_code>/rating")
    @answers(RatingSchema, status=201, said="rated")
    def rate_petition(self, request, query_code):
        """Rate how the petition was handled (评价)
        ---
        requestBody: RatingInputSchema
        responses:
          "409": {description: "not replied yet, or already rated",
                  content: {application/json: {schema: Error}}}
        """
        body = json_body(request)
        case_number = self.intake.case_number_for(query_code)
        return self.rating.submit(case_number, body)

    @http("GET", f"{API}/<any({','.join(REFERENCE)}):kind>")
    def reference(self, request, kind):
        """The directory's lists a petition form needs (one route over REFERENCE)"""
        return REFERENCE[kind][0](many=True).dump(self.routing.reference_data()[kind])

    reference.describe = staticmethod(lambda kind: {"summary": REFERENCE[kind][1], "responses": {
        "200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "array", "items": REFERENCE[kind][0].__name__}}}}}})

    # Public, as the areas and categories are: the names of government bodies,
    # which the public scoreboard and case pages show anyway; the pages name a
    # unit (a topic's answering department, a case's unit) in the language shown.
    units = forward(
        "GET", f"{API}/units", "routing.units", answer=UnitSchema, many=True, who=PUBLIC,
        doc="The directory's units: petition bureaus, departments, town offices (to name "
            "them; to transfer to, co-handle with, route to)")

    def _public_case(self, case_number):
        # Tracking learns of a petition by event, a moment after intake answered.
        try:
            return self.tracking.get_case(case_number)
        except NotFound:
            return {"status": events.SUBMITTED, "timeline": []}
