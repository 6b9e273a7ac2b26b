from core.migrations import run_env
from services.intake.models import Base

run_env(Base)
