"""Grid agents (信访代理员): a signed-in agent submits for a citizen of their
grid (the area of their account's unit) with the citizen's consent recorded
(how and when given), and sees the petitions they submitted."""
from datetime import datetime, timezone

from sqlalchemy import select

from core.errors import Forbidden, InvalidInput
from core.roles import GRID_AGENT, jurisdiction_prefix
from core.validation import load
from services.intake import petitions
from services.intake.models import Petition, ProxyConsent
from services.intake.schemas import AgentConsentSchema, AgentPetitionSchema


def submit(tx, data, consent, agent, reference, settings, submission_id=None, client=None,
           idempotency_key=None):
    """The petition, with the agent (a verified actor) and the consent as its proxy."""
    _agent(agent)
    consent = load(AgentConsentSchema(), consent)
    if consent["given_at"] > datetime.now(timezone.utc):
        raise InvalidInput("同意时间有误", {"consent.given_at": ["不能晚于现在"]})
    area = data.get("area_code") if isinstance(data, dict) else None
    if isinstance(area, str) and not area.startswith(jurisdiction_prefix(agent["area_code"])):
        raise Forbidden("the citizen's area is outside the agent's grid",
                        {"area_code": ["不在本代理员负责的网格内"]})
    proxy = {"agent_id": agent["username"], "consent_record": consent["record"],
             "consent_method": consent["method"], "consent_given_at": consent["given_at"]}
    return petitions.submit(tx, data, reference, settings, submission_id, client=client,
                            proxy=proxy, idempotency_key=idempotency_key)


def submitted_by(tx, agent, settings, limit=50):
    """The agent's petitions, newest first."""
    _agent(agent)
    rows = tx.session.execute(
        select(Petition, ProxyConsent).join(ProxyConsent, ProxyConsent.petition_id == Petition.id)
        .where(ProxyConsent.agent_id == agent["username"])
        .order_by(Petition.id.desc()).limit(limit))
    return AgentPetitionSchema(many=True).dump([{
        "case_number": p.case_number, "title": p.title, "category": p.category,
        "area_code": p.area_code, "submitted_at": p.submitted_at.astimezone(settings.timezone),
        "consent_method": c.consent_method,
        "consent_given_at": c.consent_given_at and c.consent_given_at.astimezone(settings.timezone)}
        for p, c in rows])


def _agent(actor):
    if actor["role"] != GRID_AGENT:
        raise Forbidden("grid agents only", {"role": ["仅限信访代理员"]})
