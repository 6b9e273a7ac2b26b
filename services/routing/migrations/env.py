from core.migrations import run_env
from services.routing.models import Base

run_env(Base)
