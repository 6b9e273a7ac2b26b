from core.migrations import run_env
from services.tracking.models import Base

run_env(Base)
