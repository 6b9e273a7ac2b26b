"""The rating service: the petitioner rates a replied case (評價)."""
from core import events
from core.broker import rpc
from core.handlers import handles
from core.service import Service
from core.store import Store
from services.rating import ratings, retention, scores
from services.rating.models import Base


class RatingService(Service):
    name = "rating"
    store = Store(Base)

    @handles(events.CASE_REPLIED)
    def on_case_replied(self, tx, event):
        ratings.record_reply(tx, event)

    @handles(events.PERSONAL_DATA_EXPIRED)
    def on_personal_data_expired(self, tx, event):
        retention.erase(tx, event)

    @rpc
    def submit(self, tx, case_number, data):
        return ratings.submit(tx, case_number, data)

    @rpc
    def get(self, tx, case_number):
        return ratings.get(tx, case_number)

    @rpc
    def unit_scores(self, tx):
        return scores.unit_scores(tx)
