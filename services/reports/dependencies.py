"""What the reports workers are given: the settings (calendar, repeat
window, hot-word threshold, assessment rules, bulletin font), read once; and
jieba's dictionary, loaded when the service starts rather than in a worker."""
from services.reports import words
from services.reports.settings import Settings


def settings_from_config(config):
    settings = Settings.from_config(config)
    words.ready()
    return settings
