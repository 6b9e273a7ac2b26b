"""Running the platform: make run, the service processes, and the operators' commands."""
import core.quiet  # noqa: F401  (before any module of the package imports eventlet)
