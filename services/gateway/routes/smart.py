"""Smart petition (智慧信访): similar concluded, published cases and the
regulations that apply, for a citizen while typing (no case yet) and after
submitting (by the query code), and for staff beside a case, with the unit
that handled similar cases most often next to routing's own decision."""
from services.gateway.auth import staff_only
from services.gateway.forward import PUBLIC, answers, forward
from services.gateway.http import API, http
from services.gateway.routes.citizens import submission_body
from services.reports.schemas import SimilarSchema, StaffSimilarSchema

# What of a petition the search reads: its text, category and area.
SEARCHED = ("title", "content", "category", "area_code")


class SmartPetitionRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    similar_while_typing = forward(
        "POST", f"{API}/public/similar", "reports.similar_cases", submission_body,
        answer=SimilarSchema, who=PUBLIC, doc="""
        Similar concluded cases and the regulations for what is being written (智慧信访)
        ---
        requestBody: SimilarQuerySchema
        responses:
          "200": {description: "published concluded cases most like the text, best first, and the regulations that apply"}
        """)

    @http("GET", f"{API}/petitions/<string(maxlength=40):query_code>/similar")
    @answers(SimilarSchema, said="as for the text being written; the petition itself is "
                                 "never among them")
    def similar_after_submitting(self, request, query_code):
        """Similar concluded cases and the regulations for a submitted petition (智慧信访)"""
        petition = self.intake.lookup(query_code)
        return self.reports.similar_cases(
            {**{key: petition[key] for key in SEARCHED}, "case_number": petition["case_number"]})

    @http("GET", f"{API}/cases/<string(maxlength=40):case_number>/similar")
    @staff_only
    @answers(StaffSimilarSchema, said="the suggested unit is shown beside routing's decision "
                                      "(routed_unit) and never changes it")
    def similar_for_staff(self, request, actor, case_number):
        """For staff: similar cases, regulations, and the unit that handled similar cases most often"""
        # the case in the actor's scope (tracking checks it) before its text
        # is read (intake audits the read)
        case = self.tracking.staff_case(case_number, actor)
        petition = self.intake.petitioner(case_number, actor)
        answer = self.reports.similar_for_staff(
            {**{key: petition[key] for key in SEARCHED}, "case_number": case_number}, actor)
        return {**answer, "routed_unit": {"unit_code": case.get("unit_code"),
                                          "unit_name": case.get("unit_name")}}
