"""No query code, phone number, ID number or broker password in any log line.

``MaskPersonalData`` is a logging filter every service's LOGGING config puts on
its handler (see each config.yaml): whatever a log call was given (a URL in
the HTTP server's access log, an event in an error, a traceback), the line
written has every query code, mainland mobile number and resident ID number
masked as the outputs mask them.

``JsonFormatter`` writes each line as JSON with the worker's correlation id
(``Correlation``, below), so that one petition's lines can be followed across
the services."""
import json
import logging
import re
import threading
import uuid
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider

from core.privacy import mask_id_number, mask_phone

# A query code (XXXX-XXXX-XXXX-XXXX, any case, dashes optional), or anything
# after /petitions/ in a URL: a code as typed, even a malformed one.
QUERY_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{4}(-?[0-9A-Za-z]{4}){3}(?![0-9A-Za-z])")
PETITION_PATH = re.compile(r"(/petitions/)[^/\s?\"']+")
ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# A broker password in a URL: kombu masks the first node's of a list of nodes
# (deploy/cluster.py), not the others'.
URL_PASSWORD = re.compile(r"(amqps?://[^:/@;\s]*:)[^@;\s]+@")


def mask(text):
    text = URL_PASSWORD.sub(r"\1********@", text)
    text = PETITION_PATH.sub(r"\1****", text)
    text = ID_NUMBER.sub(lambda m: mask_id_number(m[0]), text)
    text = PHONE.sub(lambda m: mask_phone(m[0]), text)
    return QUERY_CODE.sub(lambda m: _mask_code(m[0]), text)


def _mask_code(candidate):
    # Only what looks like a code (letters and digits mixed, or dashed groups):
    # plain words of 16 letters stay readable.
    if "-" in candidate or (any(c.isdigit() for c in candidate)
                            and any(c.isalpha() for c in candidate)):
        return "****-****-****-****"
    return candidate


class MaskPersonalData(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        record.msg, record.args = mask(message), None
        return True


# --- structured lines and the correlation id ----------------------------------
# A petition's correlation id is its case number once it has one: the outbox
# relay puts it on every event it publishes (header ``nameko.correlation_id``),
# nameko hands a message's ``nameko.*`` headers to the worker (worker_ctx.data)
# and passes them on with every RPC call the worker makes. A request that
# comes without one (an HTTP request at the gateway) gets a new id.
CORRELATION_KEY = "correlation_id"
_worker = threading.local()  # one per greenthread under eventlet's monkey patching


def correlation_id():
    return getattr(_worker, "correlation_id", None)


def correlation_headers(payload):
    """The headers an event is published with (core.publish): its case number
    as its correlation id, as nameko carries context (a ``nameko.`` header)."""
    case_number = payload.get("case_number")
    return {f"nameko.{CORRELATION_KEY}": case_number} if case_number else {}


class Correlation(DependencyProvider):
    """Declared on every service: the worker's correlation id, for its log
    lines and for the calls it makes."""

    def worker_setup(self, worker_ctx):
        worker_ctx.data.setdefault(CORRELATION_KEY, uuid.uuid4().hex[:16])
        _worker.correlation_id = worker_ctx.data[CORRELATION_KEY]

    def worker_teardown(self, worker_ctx):
        _worker.correlation_id = None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, service, logger,
    correlation_id, message, and the traceback if any (masked by
    MaskPersonalData, which runs first)."""

    def __init__(self, service=None):
        super().__init__()
        self.service = service

    def format(self, record):
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                 "level": record.levelname, "service": self.service, "logger": record.name,
                 "correlation_id": correlation_id(), "message": record.getMessage()}
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
