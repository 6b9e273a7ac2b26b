"""intake: takes petitions in, keeps the petitioner's identity safe, answers
the petitioner who holds the query code. See docs/services.md."""
from core.broker import rpc
from core.store import Store
from services.intake import petitions
from services.intake.dependencies import ReferenceData, SettingsProvider
from services.intake.models import Base


class IntakeService:
    name = "intake"

    store = Store(Base)
    settings = SettingsProvider()
    reference_data = ReferenceData()

    @rpc
    def submit(self, data, submission_id=None):
        # Asked before the transaction opens: no lock held while routing answers.
        reference = self.reference_data()
        with self.store.transaction() as tx:
            return petitions.submit(tx, data, reference, self.settings, submission_id)

    @rpc
    def lookup(self, query_code):
        with self.store.transaction() as tx:
            return petitions.lookup(tx, query_code, self.settings)

    @rpc
    def case_number_for(self, query_code):
        with self.store.transaction() as tx:
            return petitions.case_number_for(tx, query_code, self.settings)

    @rpc
    def petitioner(self, case_number, actor):
        with self.store.transaction() as tx:
            return petitions.petitioner(tx, case_number, actor, self.settings)

    @rpc
    def audit_log(self, case_number):
        with self.store.transaction() as tx:
            return petitions.audit_log(tx, case_number, self.settings)

