"""The code that proves the phone, and the limits on codes and petitions."""
import pytest
from nameko.testing.services import worker_factory

from core.errors import InvalidInput, TooManyRequests
from services.intake.service import IntakeService
from services.intake.settings import Settings
from tests.kit import prove_phone

CLIENT = "198.51.100.7"


@pytest.fixture
def strict(secrets_env):
    """The shipped limits (services/intake/config.yaml's defaults), two petitions
    per ID number."""
    from core.config import load_config
    limits = {**load_config("intake")["RATE_LIMITS"], "petitions_per_id_number": [2, 86400]}
    return Settings.from_config({**secrets_env, "RATE_LIMITS": limits})


def service_with(store, settings, reference):
    return worker_factory(IntakeService, store=store, settings=settings,
                          reference_data=lambda: reference)


def test_a_petition_needs_the_code_sent_for_its_phone_and_id_number(
        store, settings, reference, submission):
    service = service_with(store, settings, reference)
    with pytest.raises(InvalidInput) as caught:
        service.submit(submission)  # no code was ever asked for
    assert list(caught.value.details) == ["sms_code"]
    proven = prove_phone(store, settings, submission)
    other_id = {**proven, "id_number": "11010519491231002X"}
    with pytest.raises(InvalidInput):
        service.submit(other_id)  # the code proves this phone for that ID number only
    assert service.submit(proven)["status"] == "submitted"
    with pytest.raises(InvalidInput):
        service.submit(proven)  # used up


def test_wrong_codes_are_counted_and_void_the_code(store, settings, reference, submission):
    service = service_with(store, settings, reference)
    proven = prove_phone(store, settings, submission)
    wrong = f"{(int(proven['sms_code']) + 1) % 10**6:06d}"
    for _ in range(settings.phone_codes.max_attempts):
        with pytest.raises(InvalidInput) as caught:
            service.submit({**proven, "sms_code": wrong})
        assert "错误" in caught.value.details["sms_code"][0]
    with pytest.raises(InvalidInput):
        service.submit(proven)  # even the right code no longer works


def test_codes_are_limited_per_phone_with_a_time_to_wait(store, strict, reference, submission):
    service = service_with(store, strict, reference)
    ask = {"phone": submission["phone"], "id_number": submission["id_number"]}
    sent = service.request_phone_code(ask, CLIENT)
    assert sent["phone"] == "138****5678" and sent["resend_after"] == 60
    with pytest.raises(TooManyRequests) as caught:
        service.request_phone_code(ask, CLIENT)
    assert list(caught.value.details) == ["phone"]
    assert 1 <= caught.value.retry_after <= 60


def test_petitions_per_id_number_are_capped(store, strict, reference, submission):
    service = service_with(store, strict, reference)
    phones = ["13812345678", "13912345678", "13712345678"]
    for phone in phones[:2]:
        service.submit(prove_phone(store, strict, {**submission, "phone": phone}))
    with pytest.raises(TooManyRequests) as caught:
        service.submit(prove_phone(store, strict, {**submission, "phone": phones[2]}))
    assert list(caught.value.details) == ["id_number"]
