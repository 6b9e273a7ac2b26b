"""Personal-data retention, rating's part (core/retention.py): the
petitioner's comment, in their own words; the three levels stay (figures)."""
from core import retention
from services.rating.models import Erasure, Rating


def _ratings(tx, case_number, fields):
    return retention.empty(tx.session, Rating, Rating.case_number == case_number, fields)


ERASERS = {"ratings": _ratings}
retention.check_erasers("rating", ERASERS)


def erase(tx, event):
    return retention.erase(tx, "rating", Erasure, ERASERS, event["case_number"],
                           event["period"], event["final_at"])
