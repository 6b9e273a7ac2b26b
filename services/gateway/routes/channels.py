"""Routes for the channels to units' own systems: a unit's mailbox for staff
email, its signed webhooks (notify)."""
from services.gateway.forward import ACTOR, body, forward, optional_body, request_id
from services.gateway.http import API
from services.notify.schemas import (
    EndpointSchema,
    RegisteredSchema,
    Replayed,
    UnitContactSchema,
    WebhookChangeSchema,
    WebhookDeliverySchema,
)

UNIT_CODE = "<string(maxlength=40):unit_code>"
ENDPOINT_ID = "<int(min=1, max=2147483647):endpoint_id>"
WEBHOOK = f"{API}/webhooks/{ENDPOINT_ID}"


class ChannelRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    set_unit_contact = forward(
        "PUT", f"{API}/units/{UNIT_CODE}/contact", "notify.set_unit_contact", ACTOR, "unit_code",
        body, answer=UnitContactSchema, doc="""
        Set a unit's mailbox for staff email (new case, due soon, overdue, supervision)
        ---
        requestBody: UnitContactInput
        responses:
          "200": {description: "set; the unit's leader or a bureau administrator only"}
        """)

    register_webhook = forward(
        "POST", f"{API}/webhooks", "notify.register_webhook", ACTOR, body, request_id,
        answer=RegisteredSchema, status=201, doc="""
        Register a signed webhook endpoint for event kinds (docs/webhooks.md); the secret is shown once
        ---
        requestBody: EndpointInput
        responses:
          "201": {description: "registered; keep the secret, it is not shown again"}
        """)

    list_webhooks = forward(
        "GET", f"{API}/webhooks", "notify.list_webhooks", ACTOR,
        answer=EndpointSchema, many=True,
        doc="The caller's unit's webhook endpoints (a bureau administrator: every unit's)")

    webhook_deliveries = forward(
        "GET", f"{WEBHOOK}/deliveries", "notify.webhook_deliveries", ACTOR, "endpoint_id",
        answer=WebhookDeliverySchema, many=True,
        doc="An endpoint's deliveries, newest first, each with every attempt")

    resume_webhook = forward(
        "POST", f"{WEBHOOK}/resume", "notify.resume_webhook", ACTOR, "endpoint_id",
        answer=EndpointSchema, doc="""
        Resume a paused or disabled endpoint: its held deliveries go out at once
        ---
        responses: {"409": {description: the endpoint was deleted}}
        """)

    rotate_webhook_secret = forward(
        "POST", f"{WEBHOOK}/rotate-secret", "notify.rotate_webhook_secret", ACTOR, "endpoint_id",
        optional_body, answer=RegisteredSchema, doc="""
        A new secret, shown once; the old one still signs (a second v1) until `old_secret_until`
        ---
        requestBody: {required: false, content: {application/json: {schema: RotateInput}}}
        responses:
          "200": {description: "rotated (audited); keep the secret, it is not shown again"}
          "409": {description: the endpoint was deleted}
        """)

    disable_webhook = forward(
        "POST", f"{WEBHOOK}/disable", "notify.disable_webhook", ACTOR, "endpoint_id",
        answer=EndpointSchema, doc="""
        Disable an endpoint: nothing is sent to it, its deliveries are held until it is resumed
        ---
        responses:
          "200": {description: disabled (audited)}
          "409": {description: the endpoint was deleted}
        """)

    delete_webhook = forward(
        "DELETE", WEBHOOK, "notify.delete_webhook", ACTOR, "endpoint_id",
        answer=EndpointSchema, doc="""
        Delete an endpoint for good: its secret forgotten, each delivery not yet acknowledged cancelled (listed)
        ---
        responses:
          "200": {description: deleted (audited)}
          "409": {description: already deleted}
        """)

    webhook_changes = forward(
        "GET", f"{WEBHOOK}/changes", "notify.webhook_changes", ACTOR, "endpoint_id",
        answer=WebhookChangeSchema, many=True,
        doc="An endpoint's audit, oldest first: registered, paused, disabled, resumed, "
            "secret_rotated, deleted, by whom")

    replay_webhook = forward(
        "POST", f"{API}/webhook-deliveries/<string(maxlength=40):delivery_id>/replay",
        "notify.replay_webhook", ACTOR, "delivery_id", answer=Replayed, doc="""
        Send a delivery again (one that failed, or that the receiver lost)
        ---
        responses: {"200": {description: "due at once"}}
        """)
