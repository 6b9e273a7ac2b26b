"""A grid agent's submission with the citizen's consent, and the agent's list,
through intake's functions on a real store."""
from datetime import datetime, timedelta, timezone

import pytest

from core.errors import Forbidden, InvalidInput
from services.intake import agents, petitions
from services.intake.models import ProxyConsent
from tests.kit import prove_phone

AGENT = {"username": "jiefanglu_agent", "role": "grid_agent", "unit_code": "370102001-JDB",
         "area_code": "370102001"}
GIVEN = datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8)))
CONSENT = {"method": "signed_form", "given_at": GIVEN.isoformat(), "record": "同意书 JFL-0007"}


@pytest.fixture
def in_grid(submission):
    return {**submission, "area_code": "370102001"}


@pytest.fixture
def reference(reference):
    """routing's reference data with the agent's street (a copy: the session's stays as it is)."""
    return {**reference, "areas": reference["areas"] + [{"code": "370102001", "name_zh": "解放路街道"}]}


def test_the_agent_submits_with_the_consent_recorded_and_lists_it(store, settings, reference, in_grid):
    with store.transaction() as tx:
        data = prove_phone(store, settings, in_grid)
        receipt = petitions.submit(tx, data, reference, settings,
                                   proxy=agents.proxy_for(data, CONSENT, AGENT))
    with store.transaction() as tx:
        consent = tx.session.query(ProxyConsent).one()
        assert (consent.agent_id, consent.consent_method, consent.consent_record) == (
            "jiefanglu_agent", "signed_form", "同意书 JFL-0007")
        assert consent.consent_given_at == GIVEN
        [listed] = agents.submitted_by(tx, AGENT, settings)
        assert agents.submitted_by(tx, {**AGENT, "username": "another_agent"}, settings) == []
    assert listed["case_number"] == receipt["case_number"]
    assert listed["consent_method"] == "signed_form" and "name" not in listed


@pytest.mark.parametrize("actor, data, consent, error, field", [
    ({**AGENT, "role": "handler"}, {}, CONSENT, Forbidden, "role"),
    (AGENT, {"area_code": "370103"}, CONSENT, Forbidden, "area_code"),
    (AGENT, {}, {**CONSENT, "method": "telepathy"}, InvalidInput, "method"),
    (AGENT, {}, {**CONSENT, "given_at": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()},
     InvalidInput, "consent.given_at"),
    (AGENT, {}, {**CONSENT, "record": ""}, InvalidInput, "record"),
])
def test_who_where_and_the_consent_are_checked(store, settings, reference, in_grid, actor, data,
                                               consent, error, field):
    with pytest.raises(error) as caught:
        agents.proxy_for({**prove_phone(store, settings, in_grid), **data}, consent, actor)
    assert field in caught.value.details
    with store.transaction() as tx:
        assert tx.session.query(ProxyConsent).count() == 0
