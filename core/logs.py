"""No query code, phone number, ID number or broker password in any log line.

``MaskPersonalData`` is a logging filter every service's LOGGING config puts on
its handler (see each config.yaml): whatever a log call was given (a URL in
the HTTP server's access log, an event in an error, a traceback), the line
written has every query code, mainland mobile number and resident ID number
masked as the outputs mask them."""
import logging
import re

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
