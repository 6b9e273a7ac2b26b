"""API keys for department systems and apps (routing): made, listed, revoked
by a bureau administrator, with each key's log of uses."""
from services.gateway.forward import ACTOR, body, forward, optional_body, request_id
from services.gateway.http import API
from services.routing.schemas import ApiKeySchema, ApiKeyUseSchema, NewApiKeySchema

KEY_ID = "<string(maxlength=12):key_id>"


class KeyRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    create_api_key = forward(
        "POST", f"{API}/api-keys", "routing.create_api_key", ACTOR, body,
        answer=NewApiKeySchema, status=201, doc="""
        Make an API key for a unit's system (`unit_code`) or an app (`app`), expiring at `expires_at` (at most API_KEY_MAX_DAYS ahead, the default); the key is shown once
        ---
        requestBody: ApiKeyInput
        responses:
          "201": {description: "made; send it as X-Api-Key (REST) or api_key (Open311)"}
        """)

    list_api_keys = forward(
        "GET", f"{API}/api-keys", "routing.list_api_keys", ACTOR,
        answer=ApiKeySchema, many=True, doc="Every API key (never the key itself)")

    revoke_api_key = forward(
        "DELETE", f"{API}/api-keys/{KEY_ID}", "routing.revoke_api_key", ACTOR, "key_id",
        answer=ApiKeySchema, doc="""
        Revoke an API key: refused from its next use on
        ---
        responses: {"200": {description: revoked}}
        """)

    rotate_api_key = forward(
        "POST", f"{API}/api-keys/{KEY_ID}/rotate", "routing.rotate_api_key", ACTOR, "key_id",
        optional_body, request_id, answer=NewApiKeySchema, status=201, doc="""
        Replace a key: its successor (same scope) is shown once, the old key works `overlap_hours` longer
        ---
        requestBody: {required: false, content: {application/json: {schema: ApiKeyRotateInput}}}
        responses:
          "201": {description: "the new key; the old one's expires_at is the end of the overlap"}
          "409": {description: the key is revoked or expired}
        """)

    api_key_uses = forward(
        "GET", f"{API}/api-keys/{KEY_ID}/uses", "routing.api_key_uses", ACTOR, "key_id",
        answer=ApiKeyUseSchema, many=True,
        doc="A key's uses, newest first: when, what, from where, allowed or why not")
