"""Routes for the channels to units' own systems: a unit's mailbox for staff
email, its signed webhooks (notify)."""
from services.gateway.auth import staff_only
from services.gateway.http import API, http, json_body
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


class ChannelRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("PUT", f"{API}/units/{UNIT_CODE}/contact")
    @staff_only
    def set_unit_contact(self, request, actor, unit_code):
        """Set a unit's mailbox for staff email (new case, due soon, overdue, supervision)
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: UnitContactInput}}}
        responses:
          "200": {description: "set; the unit's leader or a bureau administrator only",
                  content: {application/json: {schema: UnitContactSchema}}}
        """
        return UnitContactSchema().dump(
            self.notify.set_unit_contact(actor, unit_code, json_body(request)))

    @http("POST", f"{API}/webhooks")
    @staff_only
    def register_webhook(self, request, actor):
        """Register a signed webhook endpoint for event kinds (docs/webhooks.md); the secret is shown once
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: EndpointInput}}}
        responses:
          "201": {description: "registered; keep the secret, it is not shown again",
                  content: {application/json: {schema: RegisteredSchema}}}
        """
        return 201, RegisteredSchema().dump(self.notify.register_webhook(actor, json_body(request)))

    @http("GET", f"{API}/webhooks")
    @staff_only
    def list_webhooks(self, request, actor):
        """The caller's unit's webhook endpoints (a bureau administrator: every unit's)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: EndpointSchema}}}}
        """
        return EndpointSchema(many=True).dump(self.notify.list_webhooks(actor))

    @http("GET", f"{API}/webhooks/{ENDPOINT_ID}/deliveries")
    @staff_only
    def webhook_deliveries(self, request, actor, endpoint_id):
        """An endpoint's deliveries, newest first, each with every attempt
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: WebhookDeliverySchema}}}}
        """
        return WebhookDeliverySchema(many=True).dump(
            self.notify.webhook_deliveries(actor, endpoint_id))

    @http("POST", f"{API}/webhooks/{ENDPOINT_ID}/resume")
    @staff_only
    def resume_webhook(self, request, actor, endpoint_id):
        """Resume a paused or disabled endpoint: its held deliveries go out at once
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: EndpointSchema}}}
          "409": {description: the endpoint was deleted}
        """
        return EndpointSchema().dump(self.notify.resume_webhook(actor, endpoint_id))

    @http("POST", f"{API}/webhooks/{ENDPOINT_ID}/rotate-secret")
    @staff_only
    def rotate_webhook_secret(self, request, actor, endpoint_id):
        """A new secret, shown once; the old one still signs (a second v1) until `old_secret_until`
        ---
        security: [{bearer: []}]
        requestBody: {required: false, content: {application/json: {schema: RotateInput}}}
        responses:
          "200": {description: "rotated (audited); keep the secret, it is not shown again",
                  content: {application/json: {schema: RegisteredSchema}}}
          "409": {description: the endpoint was deleted}
        """
        return RegisteredSchema().dump(self.notify.rotate_webhook_secret(
            actor, endpoint_id, json_body(request, optional=True)))

    @http("POST", f"{API}/webhooks/{ENDPOINT_ID}/disable")
    @staff_only
    def disable_webhook(self, request, actor, endpoint_id):
        """Disable an endpoint: nothing is sent to it, its deliveries are held until it is resumed
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: disabled (audited), content: {application/json: {schema: EndpointSchema}}}
          "409": {description: the endpoint was deleted}
        """
        return EndpointSchema().dump(self.notify.disable_webhook(actor, endpoint_id))

    @http("DELETE", f"{API}/webhooks/{ENDPOINT_ID}")
    @staff_only
    def delete_webhook(self, request, actor, endpoint_id):
        """Delete an endpoint for good: its secret forgotten, each delivery not yet acknowledged cancelled (listed)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: deleted (audited), content: {application/json: {schema: EndpointSchema}}}
          "409": {description: already deleted}
        """
        return EndpointSchema().dump(self.notify.delete_webhook(actor, endpoint_id))

    @http("GET", f"{API}/webhooks/{ENDPOINT_ID}/changes")
    @staff_only
    def webhook_changes(self, request, actor, endpoint_id):
        """An endpoint's audit, oldest first: registered, paused, disabled, resumed, secret_rotated, deleted, by whom
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: WebhookChangeSchema}}}}
        """
        return WebhookChangeSchema(many=True).dump(self.notify.webhook_changes(actor, endpoint_id))

    @http("POST", f"{API}/webhook-deliveries/<string(maxlength=40):delivery_id>/replay")
    @staff_only
    def replay_webhook(self, request, actor, delivery_id):
        """Send a delivery again (one that failed, or that the receiver lost)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: "due at once", content: {application/json: {schema: Replayed}}}
        """
        return Replayed().dump(self.notify.replay_webhook(actor, delivery_id))
