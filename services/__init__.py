"""The platform's services, one package each."""
import core.quiet  # noqa: F401  (before any module of the package imports eventlet)
