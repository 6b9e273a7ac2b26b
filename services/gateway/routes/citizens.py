"""Citizens' routes: the one-time code, submitting, following, the
petitioner's steps and the rating; the reference data a form needs (the
directory's categories, areas and units)."""

import eventlet

from core import events
from core.errors import NotFound
from core.once import new_request_id
from services.gateway import schemas
from services.gateway.forward import PUBLIC, forward, idempotency_key
from services.gateway.http import API, client_address, http, json_body
from services.gateway.openapi import step_operation
from services.intake.schemas import SubmittedSchema
from services.rating.schemas import RatingSchema
from services.routing.schemas import UnitSchema
from services.tracking.schemas import (
    StepResultSchema,
)
from services.tracking.workflows import PETITIONER_ACTIONS

# A petition's text is up to 5,000 characters (3 bytes each in UTF-8) besides
# its other fields; every other body is small (http.MAX_BODY_BYTES).
SUBMISSION_MAX_BYTES = 64 * 1024
def submission_body(request):
    """The JSON body of a petition or a proposal: up to SUBMISSION_MAX_BYTES."""
    return json_body(request, SUBMISSION_MAX_BYTES)


class CitizenRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

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
        description: "A client that may send its request again (a lost connection, a
          double tap) sends the same `Idempotency-Key` each time: a retry gets the first
          receipt back instead of a second petition. The key counts only with the same ID
          number and phone: another person's key never returns this person's receipt."
        parameters:
          - idempotency_key
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
        submission_id = new_request_id()
        key = idempotency_key(request)
        return 201, SubmittedSchema().dump(self.intake.submit(
            self.submissions.seal(submission_body(request)), submission_id,
            client_address(request), key))

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

    petitioner_step.describe = staticmethod(lambda action: step_operation(action))

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
