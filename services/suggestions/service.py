"""The suggestions service (人民建议征集): proposals, solicitation topics, the
bureau's review and the departments' answers as a declared workflow
(workflow.py) and publication; its figures are reports'. Why a service of its own, not part
of intake: see proposals.py. See docs/services.md."""
from core.actors import staff_rpc
from core.broker import TimedRpcProxy, forward, rpc
from core.calendar import today
from core.config import FromConfig
from core.sealed import sealed_rpc
from core.service import StaffService
from core.store import Store
from services.suggestions import proposals
from services.suggestions.models import Base
from services.suggestions.settings import Settings


class SuggestionsService(StaffService):
    name = "suggestions"

    store = Store(Base)
    settings = FromConfig(Settings.from_config)
    # intake uses up the SMS code that proves the proposer's phone
    intake = TimedRpcProxy("intake")

    @sealed_rpc
    def submit(self, data, submission_id):
        submission = proposals.validate_submission(data)
        # Proven before the transaction opens: no lock held while intake answers.
        self.intake.prove_phone(proposals.phone_proof(submission, self.settings))
        with self.store.transaction() as tx:
            return proposals.submit(tx, submission, self.settings, submission_id, today())

    follow = rpc(forward(proposals.follow, "settings"))

    @rpc
    def topics(self, tx):
        return proposals.topics(tx, today())

    published = rpc(forward(proposals.published))

    @staff_rpc
    def open_topic(self, tx, data, actor):
        return proposals.open_topic(tx, data, actor, today())

    list_proposals = staff_rpc(forward(proposals.staff_list, "settings"))
    get_proposal = staff_rpc(forward(proposals.staff_view, "settings"))
    act = staff_rpc(forward(proposals.act, "settings"))
