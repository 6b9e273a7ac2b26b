"""intake: takes petitions in, keeps the petitioner's identity safe, answers
the petitioner who holds the query code. See docs/services.md."""
from core.actors import staff_rpc
from core.broker import rpc
from core.errors import InvalidInput
from core.sealed import sealed_rpc
from core.store import Store
from services.intake import petitions, phone_codes
from services.intake.dependencies import ReferenceData, SettingsProvider
from services.intake.models import Base


class IntakeService:
    name = "intake"

    store = Store(Base)
    settings = SettingsProvider()
    reference_data = ReferenceData()

    @sealed_rpc
    def request_phone_code(self, data, client=None):
        with self.store.transaction() as tx:
            return phone_codes.request_code(tx, data, client, self.settings)

    @sealed_rpc
    def submit(self, data, submission_id=None, client=None):
        # Asked before the transaction opens: no lock held while routing answers.
        reference = self.reference_data()
        try:
            with self.store.transaction() as tx:
                return petitions.submit(tx, data, reference, self.settings, submission_id,
                                        client=client)
        except phone_codes.WrongCode as wrong:
            with self.store.transaction() as tx:
                # The same submission made twice at once (the gateway calls
                # again when the first call's answer was lost): the first
                # used the code and stored the petition; answer with it.
                receipt = petitions.receipt_for(tx, submission_id, self.settings)
                if receipt is not None:
                    return receipt
                # Counted even though the submission is rolled back: guessing ends.
                phone_codes.count_wrong_code(tx, wrong.code_id)
            raise InvalidInput(wrong.message, wrong.details) from None  # the registered class

    @rpc
    def lookup(self, query_code):
        with self.store.transaction() as tx:
            return petitions.lookup(tx, query_code, self.settings)

    @rpc
    def case_number_for(self, query_code):
        with self.store.transaction() as tx:
            return petitions.case_number_for(tx, query_code, self.settings)

    @staff_rpc
    def petitioner(self, case_number, actor):
        with self.store.transaction() as tx:
            return petitions.petitioner(tx, case_number, actor, self.settings)

    @rpc
    def audit_log(self, case_number):
        with self.store.transaction() as tx:
            return petitions.audit_log(tx, case_number, self.settings)

