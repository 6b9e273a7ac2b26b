"""The suggestions service (人民建议征集): proposals, solicitation topics, the
bureau's review and the departments' answers as a declared workflow
(workflow.py) and publication; its figures are reports'. Why a service of its own, not part
of intake: see proposals.py. See docs/services.md."""
from datetime import datetime

from core.actors import staff_rpc
from core.broker import TimedRpcProxy, rpc
from core.config import LOCAL_TIME
from core.sealed import sealed_rpc
from core.service import StaffService
from core.store import Store
from services.suggestions import proposals
from services.suggestions.dependencies import SettingsProvider
from services.suggestions.models import Base


def today():
    return datetime.now(LOCAL_TIME).date()


class SuggestionsService(StaffService):
    name = "suggestions"

    store = Store(Base)
    settings = SettingsProvider()
    # intake uses up the SMS code that proves the proposer's phone
    intake = TimedRpcProxy("intake")

    @sealed_rpc
    def submit(self, data, submission_id):
        submission = proposals.validate_submission(data)
        # Proven before the transaction opens: no lock held while intake answers.
        self.intake.prove_phone(proposals.phone_proof(submission, self.settings))
        with self.store.transaction() as tx:
            return proposals.submit(tx, submission, self.settings, submission_id, today())

    @rpc
    def follow(self, tx, query_code):
        return proposals.follow(tx, query_code, self.settings)

    @rpc
    def topics(self, tx):
        return proposals.topics(tx, today())

    @rpc
    def published(self, tx, limit=20, offset=0):
        return proposals.published(tx, limit, offset)

    @staff_rpc
    def open_topic(self, tx, data, actor):
        return proposals.open_topic(tx, data, actor, today())

    @staff_rpc
    def list_proposals(self, tx, query, actor):
        return proposals.staff_list(tx, query, actor, self.settings)

    @staff_rpc
    def get_proposal(self, tx, number, actor):
        return proposals.staff_view(tx, number, actor, self.settings)

    @staff_rpc
    def act(self, tx, number, action, body, actor):
        return proposals.act(tx, number, action, body, actor, self.settings)
