"""Staff administration (账号管理): a bureau administrator's accounts of its
jurisdiction, their changes, and the record of every change. Routing owns the
accounts; a changed or disabled account's tokens stop working in every service
(core/actors.py)."""
from services.gateway.forward import ACTOR, body, forward, request_id
from services.gateway.http import API
from services.routing.schemas import AccountSchema, NewPasswordSchema, StaffChangeSchema

USERNAME = "<string(maxlength=50):username>"


def username_filter(request):
    """The ``username`` query parameter, cut to a username's length; None: every account."""
    return request.args.get("username", "")[:50] or None


class AccountRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    staff_accounts = forward(
        "GET", f"{API}/staff", "routing.staff_accounts_list", ACTOR,
        answer=AccountSchema, many=True,
        doc="The staff accounts of the units in one's jurisdiction (bureau administrator)")

    create_account = forward(
        "POST", f"{API}/staff", "routing.create_account", ACTOR, body, request_id,
        answer=NewPasswordSchema, status=201, doc="""
        Create a staff account; its one-time password is shown once and must be changed at first sign-in
        ---
        requestBody: NewAccountSchema
        responses:
          "201": {description: created}
          "409": {description: "the username is taken, or a bureau role outside a bureau",
                  content: {application/json: {schema: Error}}}
        """)

    update_account = forward(
        "PATCH", f"{API}/staff/{USERNAME}", "routing.update_account", ACTOR, "username", body,
        answer=AccountSchema, doc="""
        Disable or re-enable an account, or move it to another unit or role; its tokens stop working at once
        ---
        requestBody: AccountChangeSchema
        responses: {"200": {description: changed}}
        """)

    reset_password = forward(
        "POST", f"{API}/staff/{USERNAME}/password", "routing.reset_password", ACTOR, "username", request_id,
        answer=NewPasswordSchema, doc="""
        Reset an account's password: a one-time password, shown once; its tokens stop working
        ---
        responses: {"200": {description: reset}}
        """)

    staff_changes = forward(
        "GET", f"{API}/staff/changes", "routing.staff_changes", ACTOR, username_filter,
        answer=StaffChangeSchema, many=True, doc="""
        Who changed which account, what and when, newest first (bureau administrator)
        ---
        parameters:
          - {name: username, in: query, schema: {type: string, maxLength: 50}}
        """)
