"""Personal-data retention, the suggestions service's part (core/retention.py):
its own clock, as no case is announced for a proposal. A proposal final for
longer than the period (workflow.FINAL_STATES, or adopted and not to be
published; since the step that made it so) loses its proposer's identity,
contact and query code; the proposal, its answer and steps stay. Each final
proposal is also announced to notify once per announced period
(``proposer_data_expired``): the texts to the proposer follow the
petitioner's rule (core/retention.py)."""
from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, select

from core import events, retention
from services.suggestions import workflow
from services.suggestions.models import Erasure, Proposal, ProposalStep


def _proposals(tx, number, fields):
    return retention.empty(tx.session, Proposal, Proposal.number == number, fields)


ERASERS = {"proposals": _proposals}
retention.check_erasers("suggestions", ERASERS)


def announce(tx, number, period, final_at):
    """Tell notify, in the transaction that records the erasure, that the
    proposal's ``period`` has passed."""
    tx.emit(events.PROPOSER_DATA_EXPIRED, number=number, period=period, final_at=final_at)


def due(session, period, now, environ):
    """(number, final_at) of the final proposals past ``period`` not yet erased."""
    cutoff = now - timedelta(days=retention.days(period, environ))
    final_at = func.max(ProposalStep.at)
    erased = exists().where(Erasure.case_number == Proposal.number, Erasure.period == period)
    final = or_(Proposal.status.in_(workflow.FINAL_STATES),
                and_(Proposal.status == workflow.ADOPTED, Proposal.publish.is_(False)))
    return session.execute(
        select(Proposal.number, final_at)
        .join(ProposalStep, (ProposalStep.proposal_id == Proposal.id)
              & (ProposalStep.to_state == Proposal.status))
        .where(final, ~erased)
        .group_by(Proposal.number).having(final_at <= cutoff)
        .order_by(Proposal.number)).all()
