"""The forwarded routes' declarations (services/gateway/forward.py): what can
be checked without a request is checked when the gateway is imported."""
import pytest

from core.broker import TimedRpcProxy
from services.gateway import openapi
from services.gateway.dependencies import Trackings
from services.gateway.forward import ACTOR, PUBLIC, forward
from services.gateway.service import GatewayService
from services.tracking.schemas import CaseloadSchema


def test_every_forwarded_route_calls_a_service_the_gateway_declares():
    proxies = {name for name, value in vars(GatewayService).items()
               if isinstance(value, TimedRpcProxy | Trackings)}
    calls = [method.call for _, _, method in openapi.routes(GatewayService)
             if hasattr(method, "call")]
    assert calls
    assert {call.split(".")[0] for call in calls} <= proxies


@pytest.mark.parametrize("arguments, who", [
    (("case_nmber",), PUBLIC),  # misspelt
    ((ACTOR,), PUBLIC),  # a public route has no caller
])
def test_an_argument_neither_in_the_path_nor_the_caller_fails_at_declaration(arguments, who):
    with pytest.raises(ValueError, match="neither a path argument nor ACTOR"):
        forward("GET", "/x/<string(maxlength=40):case_number>", "tracking.caseload", *arguments,
                answer=CaseloadSchema, who=who, doc="x")
