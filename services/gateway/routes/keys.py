"""API keys for department systems and apps (routing): made, listed, revoked
by a bureau administrator, with each key's log of uses."""
from services.gateway.auth import staff_only
from services.gateway.http import API, http, json_body
from services.routing.schemas import ApiKeySchema, ApiKeyUseSchema, NewApiKeySchema

KEY_ID = "<string(maxlength=12):key_id>"


class KeyRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("POST", f"{API}/api-keys")
    @staff_only
    def create_api_key(self, request, actor):
        """Make an API key for a unit's system (`unit_code`) or an app (`app`), expiring at `expires_at` (at most API_KEY_MAX_DAYS ahead, the default); the key is shown once
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: ApiKeyInput}}}
        responses:
          "201": {description: "made; send it as X-Api-Key (REST) or api_key (Open311)",
                  content: {application/json: {schema: NewApiKeySchema}}}
        """
        return 201, NewApiKeySchema().dump(
            self.routing.create_api_key(actor, json_body(request)))

    @http("GET", f"{API}/api-keys")
    @staff_only
    def list_api_keys(self, request, actor):
        """Every API key (never the key itself)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: ApiKeySchema}}}}
        """
        return ApiKeySchema(many=True).dump(self.routing.list_api_keys(actor))

    @http("DELETE", f"{API}/api-keys/{KEY_ID}")
    @staff_only
    def revoke_api_key(self, request, actor, key_id):
        """Revoke an API key: refused from its next use on
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: revoked, content: {application/json: {schema: ApiKeySchema}}}
        """
        return ApiKeySchema().dump(self.routing.revoke_api_key(actor, key_id))

    @http("POST", f"{API}/api-keys/{KEY_ID}/rotate")
    @staff_only
    def rotate_api_key(self, request, actor, key_id):
        """Replace a key: its successor (same scope) is shown once, the old key works `overlap_hours` longer
        ---
        security: [{bearer: []}]
        requestBody: {required: false, content: {application/json: {schema: ApiKeyRotateInput}}}
        responses:
          "201": {description: "the new key; the old one's expires_at is the end of the overlap",
                  content: {application/json: {schema: NewApiKeySchema}}}
          "409": {description: the key is revoked or expired}
        """
        return 201, NewApiKeySchema().dump(
            self.routing.rotate_api_key(actor, key_id, json_body(request, optional=True)))

    @http("GET", f"{API}/api-keys/{KEY_ID}/uses")
    @staff_only
    def api_key_uses(self, request, actor, key_id):
        """A key's uses, newest first: when, what, from where, allowed or why not
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: ApiKeyUseSchema}}}}
        """
        return ApiKeyUseSchema(many=True).dump(self.routing.api_key_uses(actor, key_id))
