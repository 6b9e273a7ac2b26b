"""Structured log lines (core.logs.JsonFormatter): JSON with the service and
the worker's correlation id, personal data still masked."""
import json
import logging

from core import logs


def line(message, *args, correlation=None, exc_info=None):
    record = logging.LogRecord("intake.x", logging.WARNING, __file__, 1, message, args,
                               exc_info)
    logs.MaskPersonalData().filter(record)
    logs._worker.correlation_id = correlation
    try:
        return json.loads(logs.JsonFormatter(service="intake").format(record))
    finally:
        logs._worker.correlation_id = None


def test_a_line_is_json_with_service_and_correlation_id_and_masked():
    entry = line("phone %s id %s", "13812345678", "11010519491231002X",
                 correlation="JN20261125-000001")
    assert entry["service"] == "intake" and entry["level"] == "WARNING"
    assert entry["correlation_id"] == "JN20261125-000001"
    assert entry["message"] == "phone 138****5678 id 1101**********002X"
    assert entry["time"].endswith("+00:00")


def test_a_traceback_is_kept_and_masked():
    try:
        raise ValueError("13812345678")
    except ValueError:
        import sys
        entry = line("failed", exc_info=sys.exc_info())
    assert "ValueError: 138****5678" in entry["exception"]
    assert "13812345678" not in json.dumps(entry)


def test_outside_a_worker_there_is_no_correlation_id():
    assert line("starting")["correlation_id"] is None
