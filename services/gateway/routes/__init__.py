"""The gateway's routes, one module per audience; GatewayService
(services/gateway/service.py) is their sum."""
