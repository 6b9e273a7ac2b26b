"""The routing service: the org directory, routing rules and assignments."""
from core import events
from core.actors import staff_rpc
from core.broker import forward, rpc
from core.config import FromConfig
from core.handlers import handler
from core.once import once
from core.service import Service
from core.store import Store
from services.routing import api_keys, auth, directory, routing, routing_rules, staff_admin
from services.routing.deadlines import schedule_from_config
from services.routing.dependencies import LocalStaffAccounts, auth_from_config
from services.routing.models import AnsweredRequest, Base

ONE_TIME_PASSWORD = "one_time_password"  # shown once (NewPasswordSchema)


class RoutingService(Service):
    name = "routing"
    store = Store(Base)
    # the schedule that gives due dates
    schedule = FromConfig(schedule_from_config)
    auth = FromConfig(auth_from_config)
    staff_accounts = LocalStaffAccounts()
    # API_KEY_HASH_KEY (API keys refused without it), API_KEY_RATE
    key_policy = FromConfig(api_keys.KeyPolicy.from_config)

    on_petition_submitted = handler(events.PETITION_SUBMITTED, routing.route_petition, "schedule")
    on_case_returned = handler(events.CASE_RETURNED, routing.reroute_after_return, "schedule")
    on_case_transferred = handler(events.CASE_TRANSFERRED, routing.reroute_after_transfer,
                                  "schedule")

    reference_data = rpc(forward(directory.reference_data))

    @rpc
    def authenticate(self, username, password, client=None):
        attempt = auth.Attempt(username, client, self.auth)
        with self.store.transaction() as tx:
            refusal = attempt.check(tx)
        _raise_refusal(refusal)  # after the commit: the refusal is audited
        verified = attempt.verify(password)  # no transaction open while hashing
        with self.store.transaction() as tx:
            outcome = attempt.record(tx, verified)
        return _raise_refusal(outcome)

    @rpc
    def change_password(self, username, old_password, new_password, client=None):
        attempt = auth.Attempt(username, client, self.auth)
        with self.store.transaction() as tx:
            refusal = attempt.check(tx)
        _raise_refusal(refusal)
        verified = attempt.verify(old_password)
        with self.store.transaction() as tx:
            outcome = auth.change_password(tx, attempt, verified, new_password)
        return _raise_refusal(outcome)

    # Staff administration (staff_admin.py), for a bureau administrator.

    # Every service's @staff_rpc asks this (core.actors.StaffAccounts).
    token_state = rpc(forward(staff_admin.token_state))
    staff_accounts_list = staff_rpc(forward(staff_admin.accounts))

    # Acting once per request (core/once.py): the transaction opens with the
    # look-up of the request id, a read; the hash comes before any write, so
    # no write lock is held while hashing.

    @staff_rpc
    @once(AnsweredRequest, ONE_TIME_PASSWORD)
    def create_account(self, tx, actor, data):
        """The account, with its one-time password (shown once)."""
        return self._with_one_time_password(staff_admin.create, tx, actor, data)

    update_account = staff_rpc(forward(staff_admin.update, hidden=("now",)))

    @staff_rpc
    @once(AnsweredRequest, ONE_TIME_PASSWORD)
    def reset_password(self, tx, actor, username):
        return self._with_one_time_password(staff_admin.reset_password, tx, actor, username)

    def _with_one_time_password(self, change, tx, actor, subject):
        """``change(tx, actor, subject, password_hash)``'s answer with the new
        one-time password it was given the hash of."""
        password = auth.one_time_password()
        return {**change(tx, actor, subject, self.auth.hashing.hash(password)),
                ONE_TIME_PASSWORD: password}

    staff_changes = staff_rpc(forward(staff_admin.changes))
    units = rpc(forward(directory.units))
    assignment = rpc(forward(routing.assignment))
    rules = rpc(forward(routing_rules.rules))

    # An admin's RPC, not recorded; a change with who made it is change_rule's.
    set_rule = rpc(forward(routing_rules.set_rule, hidden=("changed_by",)))
    # A bureau's change of a rule, recorded with who made it.
    change_rule = staff_rpc(forward(routing_rules.change_rule))
    rule_changes = staff_rpc(forward(routing_rules.changes, hidden=("limit",)))

    @staff_rpc
    def create_api_key(self, tx, actor, data):
        return api_keys.create(tx, self.key_policy, actor, data)

    revoke_api_key = staff_rpc(forward(api_keys.revoke, hidden=("now",)))

    @staff_rpc
    @once(AnsweredRequest, "key")
    def rotate_api_key(self, tx, actor, key_id, data):
        return api_keys.rotate(tx, self.key_policy, actor, key_id, data)

    list_api_keys = staff_rpc(forward(api_keys.keys))

    api_key_uses = staff_rpc(forward(api_keys.uses, hidden=("limit",)))

    @rpc
    def check_api_key(self, key, operation, client=None):
        """Who the key speaks for; the use is logged even when refused."""
        with self.store.transaction() as tx:
            outcome = api_keys.check(tx, self.key_policy, key, operation, client)
        return _raise_refusal(outcome)


def _raise_refusal(outcome):
    """A refusal is returned by auth (so its audit row commits), raised here."""
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
