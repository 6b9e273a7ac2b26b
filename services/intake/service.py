"""intake: takes petitions in, keeps the petitioner's identity safe, answers
the petitioner who holds the query code, keeps the case's material (files).
See docs/services.md."""
import base64
import binascii
from contextlib import contextmanager

from core import events
from core.actors import staff_rpc
from core.broker import forward, rpc
from core.config import FromConfig
from core.errors import Forbidden, InvalidInput, NotFound
from core.handlers import handler
from core.roles import REGISTERED_APP
from core.sealed import SealerProvider, sealed_rpc
from core.service import StaffService
from core.store import Store
from services.intake import (
    agents,
    attachments,
    audit,
    messages,
    petitions,
    phone_codes,
    retention,
)
from services.intake.blobs import from_config as blob_store
from services.intake.dependencies import ReferenceData, TrackingOf
from services.intake.models import Base
from services.intake.settings import Settings


class IntakeService(StaffService):
    name = "intake"

    store = Store(Base)
    settings = FromConfig(Settings.from_config)
    reference_data = ReferenceData()
    # the encrypted blob store of case materials (blobs.py; ATTACHMENT_* config)
    blobs = FromConfig(blob_store)
    # Opens an app's submission (submit_from_app), sealed as every submission is.
    submissions = SealerProvider("SUBMISSION_KEYS")
    # Whether a case is open (for a petitioner's material), and in a member
    # of staff's scope (asked with the actor's own token, verified there).
    # (the deployment that holds the case: a county's own, or the city's).
    tracking = TrackingOf()

    @sealed_rpc
    def request_phone_code(self, tx, data, client=None):
        return phone_codes.request_code(tx, data, client, self.settings)

    @sealed_rpc
    def prove_phone(self, data):
        """The code of POST /phone-codes used up for another channel (people's
        suggestions: services/suggestions calls this)."""
        try:
            with self.store.transaction() as tx:
                return phone_codes.prove_phone(tx, data, self.settings)
        except phone_codes.WrongCode as wrong:
            with self.store.transaction() as tx:
                phone_codes.count_wrong_code(tx, wrong.code_id)
            raise InvalidInput(wrong.message, wrong.details) from None

    @sealed_rpc
    def submit(self, data, submission_id=None, client=None, idempotency_key=None):
        return self._submit_once(data, submission_id, idempotency_key, lambda tx, reference: (
            petitions.submit(tx, data, reference, self.settings, submission_id,
                             client=client, idempotency_key=idempotency_key)))

    @staff_rpc
    def submit_by_agent(self, actor, data, consent, submission_id=None, client=None,
                        idempotency_key=None):
        """A grid agent's submission for a citizen of the grid: ``actor`` is the
        agent's token (verified as for staff), ``data`` sealed as every submission;
        once per ``idempotency_key`` as the citizen's own (the console's key)."""
        data = self.submissions.open(data)
        proxy = agents.proxy_for(data, consent, actor)
        key = agents.idempotency_key(actor, idempotency_key)
        return self._submit_once(data, submission_id, key, lambda tx, reference: (
            petitions.submit(tx, data, reference, self.settings, submission_id, client=client,
                             proxy=proxy, idempotency_key=key)))

    def _submit_once(self, data, submission_id, idempotency_key, store):
        """``store(tx, reference)`` in a transaction, or the receipt of the
        petition an earlier send of the same submission stored."""
        # Asked before the transaction opens: no lock held while routing answers.
        reference = self.reference_data()
        try:
            with self.store.transaction() as tx:
                return store(tx, reference)
        except phone_codes.WrongCode as wrong:
            with self.store.transaction() as tx:
                # The same submission sent twice at once (a client's key, or the
                # gateway calling again when an answer was lost): the first used
                # the code and stored the petition; answer with its receipt.
                receipt = petitions.earlier_receipt(tx, data, reference, self.settings,
                                                    idempotency_key, submission_id)
                if receipt is not None:
                    return receipt
                # Counted even though the submission is rolled back: guessing ends.
                phone_codes.count_wrong_code(tx, wrong.code_id)
            raise InvalidInput(wrong.message, wrong.details) from None  # the registered class
        except Exception:
            # Two sends at once: the second lost the race (the insert collided)
            # to the first, whose receipt it gets.
            if not (idempotency_key or submission_id):
                raise
            with self.store.transaction() as tx:
                receipt = petitions.earlier_receipt(tx, data, reference, self.settings,
                                                    idempotency_key, submission_id)
            if receipt is None:
                raise
            return receipt

    @staff_rpc
    def agent_petitions(self, tx, actor):
        return agents.submitted_by(tx, actor, self.settings)

    @staff_rpc
    def submit_from_app(self, actor, data, submission_id=None, client=None):
        """A petition from a registered app (Open311): ``actor`` is the token
        the gateway signed for the API key routing checked; the app vouches
        for the phone, so no SMS code."""
        if actor["role"] != REGISTERED_APP:
            raise Forbidden("only a registered app's key submits this way",
                            {"actor": ["not a registered app"]})
        data = self.submissions.open(data)
        reference = self.reference_data()
        with self.store.transaction() as tx:
            return petitions.submit(tx, data, reference, self.settings, submission_id,
                                    client=client, app=actor["unit_name"])

    lookup = rpc(forward(petitions.lookup, "settings"))
    case_number_for = rpc(forward(petitions.case_number_for, "settings"))
    petitioner = staff_rpc(forward(petitions.petitioner, "settings"))

    @staff_rpc
    def reveal_petitioner(self, case_number, actor):
        with self._in_scope(case_number, actor) as tx:
            return audit.reveal(tx, case_number, actor, self.settings)

    @staff_rpc
    def personal_data_reads(self, tx, actor, filters=None):
        return audit.reads(tx, actor, filters, self.settings)

    audit_log = rpc(forward(petitions.audit_log, "settings"))


    # Case materials. A file crosses RPC as base64 (``content``).

    @rpc
    def add_material(self, query_code, content, filename=None):
        """The petitioner attaches a file to their case."""
        data = self._file(content)
        case = self._public_case(query_code)
        with self.store.transaction() as tx:
            return attachments.add_by_petitioner(tx, query_code, data, filename, case,
                                                 self.settings, self.blobs)

    # The files the petitioner attached.
    materials = rpc(forward(attachments.petitioner_list, "settings"))

    @staff_rpc
    def add_case_material(self, case_number, content, actor, filename=None):
        data = self._file(content)
        with self._in_scope(case_number, actor) as tx:
            return attachments.add_by_staff(tx, case_number, data, filename, actor,
                                            self.settings, self.blobs)

    @staff_rpc
    def case_materials(self, case_number, actor):
        with self._in_scope(case_number, actor) as tx:
            return attachments.staff_list(tx, case_number, actor, self.settings)

    @staff_rpc
    def case_material(self, case_number, attachment_id, actor):
        """One file, ``content`` in base64; the download is audited."""
        with self._in_scope(case_number, actor) as tx:
            found = attachments.download(tx, case_number, attachment_id, actor,
                                         self.settings, self.blobs)
        return {**found, "content": base64.b64encode(found["content"]).decode()}

    on_personal_data_expired = handler(events.PERSONAL_DATA_EXPIRED, retention.erase, "blobs")

    @contextmanager
    def _in_scope(self, case_number, actor):
        """A transaction for a member of staff's read or step on a case, opened
        once the tracking holding it has said the case is in the actor's scope
        (NotFound outside it; no transaction open while tracking answers)."""
        self._tracking_of(case_number).case_scope(case_number, actor.token)
        with self.store.transaction() as tx:
            yield tx

    def _tracking_of(self, case_number):
        """The tracking holding the case (core/areas.py: by its area)."""
        with self.store.transaction() as tx:
            area_code = petitions.by_case_number(tx, case_number).area_code
        return self.tracking(area_code)

    def _public_case(self, query_code):
        """Tracking's public view of the petitioner's case (None: not there yet, so
        open), from the tracking holding it (core/areas.py: by its area)."""
        with self.store.transaction() as tx:
            petition = petitions.by_query_code(tx, query_code, self.settings)
            case_number, area_code = petition.case_number, petition.area_code
        try:
            return self.tracking(area_code).get_case(case_number)
        except NotFound:
            return None

    # Messages (留言): the text is personal data, encrypted, never logged.

    @rpc
    def leave_message(self, query_code, body):
        """The petitioner's message on their open case."""
        case = self._public_case(query_code)
        with self.store.transaction() as tx:
            return messages.leave(tx, query_code, body, case, self.settings)

    petitioner_messages = rpc(forward(messages.for_petitioner, "settings"))

    @staff_rpc
    def answer_message(self, case_number, actor, body):
        """The handling unit answers; the scope and the unit are tracking's."""
        scope = self._tracking_of(case_number).case_scope(case_number, actor.token)
        with self.store.transaction() as tx:
            return messages.answer(tx, case_number, body, actor, scope["unit_code"],
                                   self.settings)

    @staff_rpc
    def case_messages(self, case_number, actor):
        """A case's messages for its staff; the read is audited."""
        with self._in_scope(case_number, actor) as tx:
            return messages.for_staff(tx, case_number, actor, self.settings)

    def _file(self, content):
        limit = self.settings.attachments.max_bytes
        if not isinstance(content, str):
            raise InvalidInput("the file is missing", {"file": ["须提供文件 / a file is required"]})
        if len(content) > (limit + 2) // 3 * 4:  # refused before decoding
            raise attachments.too_large(limit)
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("the file is not valid base64",
                               {"file": ["文件编码有误 / not valid base64"]}) from None
