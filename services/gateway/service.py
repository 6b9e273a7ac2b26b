"""The HTTP API: citizens' and staff routes, each a thin translation to RPC
calls on the services that own the data. No database of its own.

The routes live in services/gateway/routes/, one module per audience; this
class is their sum and declares what they share. Each route's docstring is
its entry in the OpenAPI document (openapi.py)."""
from nameko.dependency_providers import Config

from core.broker import TimedRpcProxy
from core.config import FromConfig
from core.sealed import SealerProvider
from core.service import Service
from services.gateway.dependencies import Trackings, tokens_from_config
from services.gateway.routes.accounts import AccountRoutes
from services.gateway.routes.agent import AgentRoutes
from services.gateway.routes.channels import ChannelRoutes
from services.gateway.routes.citizens import CitizenRoutes
from services.gateway.routes.console import ConsoleRoutes
from services.gateway.routes.figures import FigureRoutes
from services.gateway.routes.keys import KeyRoutes
from services.gateway.routes.materials import MaterialRoutes
from services.gateway.routes.messages import MessageRoutes
from services.gateway.routes.open311 import Open311Routes
from services.gateway.routes.portal import PortalRoutes
from services.gateway.routes.smart import SmartPetitionRoutes
from services.gateway.routes.staff import StaffRoutes
from services.gateway.routes.suggestions import SuggestionRoutes
from services.gateway.routes.system import SystemRoutes


class GatewayService(CitizenRoutes, StaffRoutes, MaterialRoutes, MessageRoutes, AccountRoutes,
                     FigureRoutes, ChannelRoutes, SmartPetitionRoutes, SuggestionRoutes,
                     PortalRoutes, KeyRoutes, ConsoleRoutes, AgentRoutes, Open311Routes,
                     SystemRoutes, Service):
    name = "gateway"

    # submit: the submission id makes a second call return the first receipt
    intake = TimedRpcProxy("intake", idempotent={"submit"})
    routing = TimedRpcProxy("routing")
    tracking = Trackings()  # and each county's (COUNTIES)
    rating = TimedRpcProxy("rating")
    reports = TimedRpcProxy("reports")
    suggestions = TimedRpcProxy("suggestions")
    notify = TimedRpcProxy("notify")
    tokens = FromConfig(tokens_from_config)
    config = Config()
    # What the petitioner types (name, ID number, phone) crosses the bus sealed for intake.
    submissions = SealerProvider("SUBMISSION_KEYS")
