"""Grid agents (信访代理员): a signed-in agent submits for a citizen of their
grid (the area of their account's unit) with the citizen's consent recorded
(how and when given), and sees the petitions they submitted."""
from datetime import datetime, timezone

from sqlalchemy import select

from core.errors import Forbidden, InvalidInput
from core.roles import GRID_AGENT, jurisdiction_prefix
from core.validation import load
from services.intake.models import Petition, ProxyConsent
from services.intake.schemas import AgentConsentSchema, AgentPetitionSchema


def proxy_for(data, consent, agent):
    """The proxy record of a grid agent's submission (petitions.submit's
    ``proxy``), once the agent (a verified actor), the consent and the grid are
    checked: before anything else, so that no retry's receipt ever answers a
    refused agent."""
    _agent(agent)
    consent = load(AgentConsentSchema(), consent)
    if consent["given_at"] > datetime.now(timezone.utc):
        raise InvalidInput("同意时间有误", {"consent.given_at": ["不能晚于现在"]})
    area = data.get("area_code") if isinstance(data, dict) else None
    if isinstance(area, str) and not area.startswith(jurisdiction_prefix(agent["area_code"])):
        raise Forbidden("the citizen's area is outside the agent's grid",
                        {"area_code": ["不在本代理员负责的网格内"]})
    return {"agent_id": agent["username"], "consent_record": consent["record"],
            "consent_method": consent["method"], "consent_given_at": consent["given_at"]}


def idempotency_key(agent, key):
    """The agent's ``Idempotency-Key`` scoped to the agent as well (the
    citizen's ID number and phone scope it further, as every key): another
    account sending the same key never gets this agent's receipt."""
    return None if key is None else f"agent:{agent['username']}:{key}"


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
