"""Imported first by the commands a person runs (``make run``, each service
process): eventlet warns at every import that it is deprecated (the stack is
fixed; see README), and that page of text would be the first thing an
operator reads. Only that warning is silenced; every other one still shows."""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
