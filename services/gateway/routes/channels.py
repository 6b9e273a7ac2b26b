"""Routes for the channels to units' own systems: a unit's mailbox for staff
email, its signed webhooks (notify)."""
from services.gateway.auth import staff_only
from services.gateway.http import API, http, json_body
from services.notify.schemas import UnitContactSchema

UNIT_CODE = "<string(maxlength=40):unit_code>"


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
