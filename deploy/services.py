"""Where each service lives: one table for the topology step, the parked-
message command and the local runner."""
import importlib

SERVICES = {
    "intake": "services.intake.service:IntakeService",
    "routing": "services.routing.service:RoutingService",
    "tracking": "services.tracking.service:TrackingService",
    "rating": "services.rating.service:RatingService",
    "notify": "services.notify.service:NotifyService",
    "gateway": "services.gateway.service:GatewayService",
}


def service_class(name):
    module, _, cls = SERVICES[name].partition(":")
    return getattr(importlib.import_module(module), cls)
