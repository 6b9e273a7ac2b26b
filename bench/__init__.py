"""``make bench``: the petition pipeline measured against a bare nameko chain
with the same number of hops, on this machine's RabbitMQ (see ``__main__``)."""
import core.quiet  # noqa: F401  (before any module of the package imports eventlet)
