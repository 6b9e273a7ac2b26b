"""What the reports service reads from its config: the working-day calendar,
the repeat-petition window, the hot-word threshold, the assessment rules and
the regulation knowledge base."""
from dataclasses import dataclass
from datetime import timedelta

from core.calendar import WorkingCalendar, calendar_from_config
from core.errors import ConfigurationError
from services.reports.regulations import load_regulations
from services.reports.schemas import AssessmentRulesSchema

DEFAULT_REPEAT_WINDOW_DAYS = 90
DEFAULT_HOT_WORD_MIN_CASES = 3
DEFAULT_BULLETIN_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DEFAULT_REGULATIONS_FILE = "services/reports/data/regulations.yaml"


@dataclass(frozen=True)
class Settings:
    calendar: WorkingCalendar
    # A petition by the same petitioner on the same matter within this many
    # days of the previous one is a repeat petition (重复信访).
    repeat_window: timedelta
    # A word is shown as rising only if this many petitions use it: a name in
    # one title never surfaces.
    hot_word_min_cases: int
    rules: dict
    # a font with Chinese glyphs, embedded in the PDF bulletin
    bulletin_font: str = DEFAULT_BULLETIN_FONT
    # the regulation knowledge base (regulations.py), as loaded and checked
    regulations: tuple = ()

    @classmethod
    def from_config(cls, config):
        try:
            rules = AssessmentRulesSchema().load(config.get("ASSESSMENT") or {})
        except Exception as exc:  # any bad value: say which, do not start
            raise ConfigurationError(f"reports: ASSESSMENT is not valid: {exc}") from None
        return cls(
            calendar=calendar_from_config(config),
            repeat_window=timedelta(days=int(config.get("REPEAT_WINDOW_DAYS",
                                                        DEFAULT_REPEAT_WINDOW_DAYS))),
            hot_word_min_cases=int(config.get("HOT_WORD_MIN_CASES", DEFAULT_HOT_WORD_MIN_CASES)),
            rules=rules,
            bulletin_font=config.get("BULLETIN_FONT") or DEFAULT_BULLETIN_FONT,
            regulations=load_regulations(config.get("REGULATIONS_FILE")
                                         or DEFAULT_REGULATIONS_FILE),
        )
