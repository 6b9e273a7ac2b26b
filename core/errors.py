"""Errors that cross RPC.

Each is registered with nameko so a caller catches the class itself (the
gateway maps each to an HTTP status), not a ``RemoteError`` carrying a string.
Arguments stay JSON-serialisable: they travel in the RPC reply.
"""
from nameko.exceptions import ConfigurationError as NamekoConfigurationError
from nameko.exceptions import deserialize_to_instance


class ConfigurationError(NamekoConfigurationError):
    """A required setting is missing or unusable: the service refuses to start
    (raised from a dependency's ``setup``; never crosses RPC)."""


class PlatformError(Exception):
    """Base of the errors a caller is expected to handle."""

    code = "error"

    def __init__(self, message, details=None):
        super().__init__(message, details)
        self.message = message
        self.details = details

    def __str__(self):
        return self.message


@deserialize_to_instance
class InvalidInput(PlatformError):
    """Input failed validation; ``details`` maps each field to its reasons."""

    code = "invalid_input"


@deserialize_to_instance
class NotFound(PlatformError):
    code = "not_found"


@deserialize_to_instance
class Conflict(PlatformError):
    """The request is valid but the case is not in a state that allows it."""

    code = "conflict"


@deserialize_to_instance
class Forbidden(PlatformError):
    code = "forbidden"


@deserialize_to_instance
class Unauthorized(PlatformError):
    code = "unauthorized"


@deserialize_to_instance
class ServiceUnavailable(PlatformError):
    """A service (or the broker) did not answer in time; try again later."""

    code = "service_unavailable"
