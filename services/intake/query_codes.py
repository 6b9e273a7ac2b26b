"""Query codes (查詢碼): the petitioner's private key to their case.

16 characters of Crockford base32 = 80 bits, shown as ``XXXX-XXXX-XXXX-XXXX``.
A code is derived, with the service's secret key, from the submission's id:
128 bits from ``secrets`` (``core.once.new_request_id``, the gateway's id
of the request). Derived rather than
drawn on its own so that a submission delivered twice (an intake that
committed and died before answering gets the RPC request again) answers with
the same code, while the code itself is still never stored. The alphabet has no I, L, O or U, so a code read
aloud or copied by hand survives: look-ups accept lowercase, missing dashes
or spaces, and O for 0, I or L for 1."""
import hashlib
import hmac
from dataclasses import dataclass

from core.privacy import keyed_hash

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def scoped_submission_id(idempotency_key, id_number, phone, key):
    """A client's ``Idempotency-Key`` as the submission id, scoped to the
    petitioner: the same key sent with another ID number or phone is another
    submission, so one person's key can never return another's receipt.
    Keyed with the service's secret: the id says nothing of the person."""
    return "key:" + keyed_hash(key, f"idempotency:{id_number}:{phone}:{idempotency_key}")


def query_code_for(submission_id, key):
    digest = hmac.new(key.encode(), f"query-code:{submission_id}".encode(),
                      hashlib.sha256).digest()
    bits = int.from_bytes(digest[:LENGTH * 5 // 8], "big")
    code = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(LENGTH)))
    return "-".join(code[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def canonical(code):
    """The code's 16 characters as issued, or None when it cannot be one."""
    if not isinstance(code, str):
        return None
    chars = code.upper().translate(_CONFUSABLES)
    if len(chars) != LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return chars


@dataclass(frozen=True)
class SubmissionKeys:
    """What a submission id gives: the code for the petitioner, and the two
    keyed hashes stored in its place (to find the petition by code, and a
    redelivered submission by its id)."""

    query_code: str
    query_code_hash: str
    submission_hash: str


def keys_for(submission_id, key):
    code = query_code_for(submission_id, key)
    return SubmissionKeys(code, keyed_hash(key, canonical(code)),
                          keyed_hash(key, f"submission:{submission_id}"))
