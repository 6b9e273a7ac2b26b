"""An RPC method written ``method(self, tx, ...)`` is handed its transaction
(core.broker.in_transaction): it commits what the method wrote when it
returns, rolls it back when it raises, and callers see no ``tx``; so does one
declared as a domain function forwarded to (core.broker.forward), whose callers
see that function's parameters but ``tx``, the ones the service gives and the
ones hidden from them (left to their defaults)."""
import inspect

import pytest
from nameko.containers import ServiceContainer
from nameko.exceptions import IncorrectSignature
from nameko.testing.services import worker_factory
from nameko.testing.utils import get_extension
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.broker import ReliableRpc, forward, in_transaction, rpc
from core.errors import Conflict
from core.sealed import SealedRpc, sealed_rpc
from core.store import Store
from tests.kit import store_fixture


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    text: Mapped[str] = mapped_column(String(20), primary_key=True)


def write_signed(tx, text, signature, then_refuse=False):
    """A domain function: ``text`` written with the service's ``signature``."""
    tx.session.add(Note(text=text + signature))
    tx.session.flush()
    if then_refuse:
        raise Conflict("refused after writing")
    return text + signature


class NotesService:
    name = "notes"
    store = Store(Base)
    signature = "/li"

    signed_write = rpc(forward(write_signed, "signature"))
    # The caller cannot ask for the refusal: ``then_refuse`` stays False.
    signed_kept = rpc(forward(write_signed, "signature", hidden=("then_refuse",)))

    @rpc
    def write(self, tx, text, then_refuse=False):
        tx.session.add(Note(text=text))
        tx.session.flush()
        if then_refuse:
            raise Conflict("refused after writing")
        return text

    @rpc
    def count(self, tx):
        return tx.session.scalar(select(func.count()).select_from(Note))

    @sealed_rpc
    def sealed_write(self, tx, data):
        return data


store = store_fixture(Base)


def test_what_the_method_writes_commits_when_it_returns(store):
    service = worker_factory(NotesService, store=store)
    assert service.write("kept") == "kept"
    assert service.count() == 1
    with store.transaction() as tx:
        assert tx.session.get(Note, "kept") is not None


def test_what_the_method_writes_is_rolled_back_when_it_raises(store):
    service = worker_factory(NotesService, store=store)
    with pytest.raises(Conflict):
        service.write("lost", then_refuse=True)
    assert service.count() == 0


def test_a_request_is_checked_against_the_parameters_after_tx():
    container = ServiceContainer(NotesService, {"AMQP_URI": "memory://",
                                                "SUBMISSION_KEYS": ""})
    write = get_extension(container, ReliableRpc, method_name="write")
    write.check_signature(["a note"], {})
    write.check_signature(["a note"], {"then_refuse": True})
    with pytest.raises(IncorrectSignature):
        write.check_signature([], {})  # ``text`` missing: tx is not theirs to pass
    with pytest.raises(IncorrectSignature):
        write.check_signature(["tx?", "a note", False, "one too many"], {})
    with pytest.raises(IncorrectSignature):
        get_extension(container, ReliableRpc, method_name="count").check_signature(["x"], {})
    sealed = get_extension(container, SealedRpc, method_name="sealed_write")
    sealed.check_signature(["token"], {})
    with pytest.raises(IncorrectSignature):
        sealed.check_signature([], {})
    # Forwarded: the domain function's parameters but tx and the service's part.
    signed = get_extension(container, ReliableRpc, method_name="signed_write")
    signed.check_signature(["a note"], {"then_refuse": True})
    with pytest.raises(IncorrectSignature):
        signed.check_signature(["a note"], {"signature": "/someone else"})
    with pytest.raises(IncorrectSignature):
        signed.check_signature(["a note", False, "one too many"], {})
    # Hidden: not the caller's to pass, by name or by position.
    kept = get_extension(container, ReliableRpc, method_name="signed_kept")
    kept.check_signature(["a note"], {})
    kept.check_signature([], {"text": "a note"})
    with pytest.raises(IncorrectSignature):
        kept.check_signature(["a note"], {"then_refuse": True})
    with pytest.raises(IncorrectSignature):
        kept.check_signature(["a note", True], {})


def test_a_forwarded_entrypoint_hands_its_domain_function_the_transaction_and_the_service_s_part(
        store):
    service = worker_factory(NotesService, store=store)
    assert service.signed_write("kept") == "kept/li"
    with pytest.raises(Conflict):
        service.signed_write("lost", then_refuse=True)
    with store.transaction() as tx:
        assert tx.session.scalars(select(Note.text)).all() == ["kept/li"]


def test_a_hidden_parameter_gets_its_default_and_the_rest_is_forwarded(store):
    service = worker_factory(NotesService, store=store)
    assert str(inspect.signature(NotesService.signed_kept)) == "(self, text)"
    assert service.signed_kept("kept") == "kept/li"
    with pytest.raises(TypeError):
        service.signed_kept("lost", True)
    with store.transaction() as tx:
        assert tx.session.scalars(select(Note.text)).all() == ["kept/li"]


@pytest.mark.parametrize("hidden", [("text",), ("tx",), ("signature",), ("author",)])
def test_only_a_parameter_with_a_default_the_service_does_not_give_is_hidden(hidden):
    # ``text`` and ``tx`` have no default; ``signature`` is given; no ``author``.
    with pytest.raises(TypeError, match="cannot hide"):
        forward(write_signed, "signature", hidden=hidden)


def test_only_a_domain_function_taking_tx_first_and_the_names_given_is_forwarded():
    with pytest.raises(TypeError, match="takes no transaction first"):
        forward(lambda text, tx: text)
    with pytest.raises(TypeError, match="cannot be given"):
        forward(write_signed, "author")
    with pytest.raises(TypeError, match="cannot be given"):
        forward(lambda tx, **filters: filters)


def test_a_method_without_tx_is_left_as_it_is():
    def authenticate(self, username, password):
        return username

    assert in_transaction(authenticate) is authenticate


@pytest.mark.parametrize("number", [12345, None, ["kept"], {"text": "kept"}])
def test_find_answers_none_for_a_number_that_is_not_a_string(store, number):
    worker_factory(NotesService, store=store).write("kept")
    with store.transaction() as tx:
        assert tx.find(Note, "kept").text == "kept"
        assert tx.find(Note, "missing") is None
        assert tx.find(Note, number) is None
