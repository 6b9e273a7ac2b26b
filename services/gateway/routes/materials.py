"""Case materials (补充材料): the petitioner's files by query code, and the
case's files for its staff. A file is the request's body, its type the
Content-Type (checked again by intake against the content); it crosses RPC as
base64. Intake owns the files and the audit of every staff read, and answers
each file's view dumped in its AttachmentSchema: sent on as it comes."""
import base64

from core.config import ATTACHMENT_MAX_BYTES
from services.gateway.auth import staff_only
from services.gateway.forward import ACTOR, PUBLIC, forward
from services.gateway.http import API, download, file_body, http
from services.intake.attachments import ALLOWED_TYPES
from services.intake.schemas import AttachmentSchema


class MaterialRoutes:
    """Mixed into GatewayService, which declares the RPC proxies and config used here."""

    def _upload(self, request):
        """(base64 of the body's file, its name)."""
        limit = int(self.config.get("ATTACHMENT_MAX_BYTES") or ATTACHMENT_MAX_BYTES)
        data = file_body(request, limit, ALLOWED_TYPES)
        return base64.b64encode(data).decode(), request.args.get("filename", "")[:200]

    @http("POST", f"{API}/petitions/<string(maxlength=40):query_code>/attachments")
    def add_material(self, request, query_code):
        """Attach a file to one's petition (补充材料): a photo, PDF or office document
        ---
        requestBody: file
        parameters: [filename]
        responses:
          "201": {description: "kept (the same file sent again is the same attachment)",
                  content: {application/json: {schema: AttachmentSchema}}}
          "409": {description: "the case is closed, or holds the most files it may",
                  content: {application/json: {schema: Error}}}
        """
        content, filename = self._upload(request)
        return 201, self.intake.add_material(query_code, content, filename)

    materials = forward(
        "GET", f"{API}/petitions/<string(maxlength=40):query_code>/attachments",
        "intake.materials", "query_code", answer=AttachmentSchema, many=True, dumped=True,
        who=PUBLIC, doc="The files one attached to one's petition")

    @http("POST", f"{API}/cases/<string(maxlength=40):case_number>/attachments")
    @staff_only
    def add_case_material(self, request, actor, case_number):
        """Add a file to a case of one's unit or jurisdiction
        ---
        requestBody: file
        parameters: [filename]
        responses:
          "201": {description: kept, content: {application/json: {schema: AttachmentSchema}}}
        """
        content, filename = self._upload(request)
        return 201, self.intake.add_case_material(case_number, content, actor, filename)

    case_materials = forward(
        "GET", f"{API}/cases/<string(maxlength=40):case_number>/attachments",
        "intake.case_materials", "case_number", ACTOR, answer=AttachmentSchema, many=True,
        dumped=True, doc="A case's files: the petitioner's and its units'; the read is audited")

    @http("GET", f"{API}/cases/<string(maxlength=40):case_number>/attachments/"
                 "<int(min=1, max=2147483647):attachment_id>")
    @staff_only
    def case_material(self, request, actor, case_number, attachment_id):
        """Download one of a case's files; the download is audited
        ---
        responses:
          "200": {description: "the file, as attached, with the type read from its content (an image, PDF or office document: intake's ALLOWED_TYPES)",
                  content: {image/*: {schema: {type: string, format: binary}},
                            application/*: {schema: {type: string, format: binary}}}}
        """
        found = self.intake.case_material(case_number, attachment_id, actor)
        return download(base64.b64decode(found["content"]), found,
                        {"Cache-Control": "no-store"})
