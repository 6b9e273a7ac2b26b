"""Messages (留言): the petitioner's by query code, the handling unit's answers.
Intake owns them (encrypted, every staff read audited; the scope is
tracking's) and answers each dumped in its CaseMessageSchema: sent on as it
comes (forward.py, ``dumped``)."""
from services.gateway.forward import ACTOR, PUBLIC, body, forward
from services.gateway.http import API
from services.intake.schemas import CaseMessageSchema

PETITION = f"{API}/petitions/<string(maxlength=40):query_code>/messages"
CASE = f"{API}/cases/<string(maxlength=40):case_number>/messages"


class MessageRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    leave_message = forward(
        "POST", PETITION, "intake.leave_message", "query_code", body, answer=CaseMessageSchema,
        status=201, dumped=True, who=PUBLIC, doc="""
        Leave a message on one's open case (留言)
        ---
        requestBody: CaseMessageInputSchema
        responses:
          "201": {description: "kept (the same text sent again at once is the same message)"}
          "409": {description: "the case is closed, or holds the most messages it may",
                  content: {application/json: {schema: Error}}}
        """)

    petitioner_messages = forward(
        "GET", PETITION, "intake.petitioner_messages", "query_code", answer=CaseMessageSchema,
        many=True, dumped=True, who=PUBLIC,
        doc="One's messages on the case and the unit's answers, oldest first")

    answer_message = forward(
        "POST", CASE, "intake.answer_message", "case_number", ACTOR, body,
        answer=CaseMessageSchema, status=201, dumped=True, doc="""
        Answer the petitioner's messages, as the handling unit
        ---
        requestBody: CaseMessageInputSchema
        responses: {"201": {description: kept}}
        """)

    case_messages = forward(
        "GET", CASE, "intake.case_messages", "case_number", ACTOR, answer=CaseMessageSchema,
        many=True, dumped=True, doc="A case's messages both ways; the read is audited")
