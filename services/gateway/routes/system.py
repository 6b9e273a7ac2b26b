"""Documents and probes."""


from services.gateway import openapi
from services.gateway.http import API, http


class SystemRoutes:
    """Mixed into GatewayService."""

    @http("GET", f"{API}/openapi.json")
    def openapi_document(self, request):
        """This document
        ---
        responses:
          "200": {description: "the OpenAPI document", content: {application/json: {schema: {type: object}}}}
        """
        return openapi.document(type(self))

    @http("GET", "/healthz")
    def health(self, request):
        """Liveness probe
        ---
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: object,
                  properties: {status: {type: string}}}}}}
        """
        return {"status": "ok"}
