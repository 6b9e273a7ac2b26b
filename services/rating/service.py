"""The rating service: the petitioner rates a replied case (評價)."""
from core import events
from core.broker import forward, rpc
from core.handlers import handler
from core.service import Service
from core.store import Store
from services.rating import ratings, retention, scores
from services.rating.models import Base


class RatingService(Service):
    name = "rating"
    store = Store(Base)

    on_case_replied = handler(events.CASE_REPLIED, ratings.record_reply)
    on_personal_data_expired = handler(events.PERSONAL_DATA_EXPIRED, retention.erase)

    submit = rpc(forward(ratings.submit))
    get = rpc(forward(ratings.get))
    unit_scores = rpc(forward(scores.unit_scores))
