"""Staff administration (账号管理): a bureau administrator's accounts of its
jurisdiction, their changes, and the record of every change. Routing owns the
accounts; a changed or disabled account's tokens stop working in every service
(core/actors.py)."""
from services.gateway.auth import staff_only
from services.gateway.http import API, http, json_body
from services.routing.schemas import AccountSchema, NewPasswordSchema, StaffChangeSchema

USERNAME = "<string(maxlength=50):username>"


class AccountRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    @http("GET", f"{API}/staff")
    @staff_only
    def staff_accounts(self, request, actor):
        """The staff accounts of the units in one's jurisdiction (bureau administrator)
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: AccountSchema}}}}
        """
        return AccountSchema(many=True).dump(self.routing.staff_accounts_list(actor))

    @http("POST", f"{API}/staff")
    @staff_only
    def create_account(self, request, actor):
        """Create a staff account; its one-time password is shown once and must be changed at first sign-in
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: NewAccountSchema}}}
        responses:
          "201": {description: created, content: {application/json: {schema: NewPasswordSchema}}}
          "409": {description: "the username is taken, or a bureau role outside a bureau",
                  content: {application/json: {schema: Error}}}
        """
        return 201, NewPasswordSchema().dump(self.routing.create_account(actor, json_body(request)))

    @http("PATCH", f"{API}/staff/{USERNAME}")
    @staff_only
    def update_account(self, request, actor, username):
        """Disable or re-enable an account, or move it to another unit or role; its tokens stop working at once
        ---
        security: [{bearer: []}]
        requestBody: {required: true, content: {application/json: {schema: AccountChangeSchema}}}
        responses:
          "200": {description: changed, content: {application/json: {schema: AccountSchema}}}
        """
        return AccountSchema().dump(
            self.routing.update_account(actor, username, json_body(request)))

    @http("POST", f"{API}/staff/{USERNAME}/password")
    @staff_only
    def reset_password(self, request, actor, username):
        """Reset an account's password: a one-time password, shown once; its tokens stop working
        ---
        security: [{bearer: []}]
        responses:
          "200": {description: reset, content: {application/json: {schema: NewPasswordSchema}}}
        """
        return NewPasswordSchema().dump(self.routing.reset_password(actor, username))

    @http("GET", f"{API}/staff/changes")
    @staff_only
    def staff_changes(self, request, actor):
        """Who changed which account, what and when, newest first (bureau administrator)
        ---
        security: [{bearer: []}]
        parameters:
          - {name: username, in: query, schema: {type: string, maxLength: 50}}
        responses:
          "200": {description: ok, content: {application/json: {schema: {type: array, items: StaffChangeSchema}}}}
        """
        return StaffChangeSchema(many=True).dump(
            self.routing.staff_changes(actor, request.args.get("username", "")[:50] or None))
