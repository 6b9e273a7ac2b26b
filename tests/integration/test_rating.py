"""The rating service on the real broker: a reply comes in as an event, the
rating goes out as events, RPC in between."""
from pathlib import Path

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

import services.rating
from core import events
from core.errors import Conflict
from core.migrations import upgrade
from services.rating.models import RatableCase
from services.rating.service import RatingService
from tests.kit import count_rows, publish, recorded, recorder, service_config, wait_for

CASE = "JN20261125-000001"
ENVELOPE = dict(case_number=CASE, area_code="370102", unit_code="U370102-HOUSING")


def test_a_replied_case_is_rated_once_and_tracking_hears_it(container_factory, amqp_uri, tmp_path):
    rating_url, tracking_url = f"sqlite:///{tmp_path}/rating.db", f"sqlite:///{tmp_path}/t.db"
    upgrade(Path(services.rating.__file__).parent, rating_url)
    container_factory(RatingService, service_config(amqp_uri, rating_url)).start()
    tracking = recorder(events.RATING_SUBMITTED, events.RATING_UNSATISFIED, name="tracking")
    container_factory(tracking, service_config(amqp_uri, tracking_url)).start()
    levels = dict(service_attitude="satisfied", work_efficiency="satisfied",
                  handling_quality="unsatisfied")

    with ServiceRpcProxy("rating", {"AMQP_URI": amqp_uri}) as rating:
        with pytest.raises(Conflict):
            rating.submit(CASE, levels)
        publish(amqp_uri, events.CASE_REPLIED, **ENVELOPE, replied_by="zhang")
        wait_for(lambda: count_rows(rating_url, RatableCase) == 1)
        assert rating.submit(CASE, {**levels, "comment": "还没解决"})["comment"] == "还没解决"
        with pytest.raises(Conflict):
            rating.submit(CASE, levels)
        assert rating.unit_scores()[0]["ratings"] == 1

    wait_for(lambda: len(recorded(tracking_url)) == 2)
    received = {p["event_type"]: p for p in recorded(tracking_url)}
    assert received["rating_unsatisfied"]["dimensions"] == ["handling_quality"]
    assert "rating_submitted" in received
