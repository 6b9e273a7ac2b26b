from core.migrations import run_env
from services.suggestions.models import Base

run_env(Base)
