"""Query codes (查詢碼): the petitioner's private key to their case.

16 characters of Crockford base32 from ``secrets`` = 80 bits, shown as
``XXXX-XXXX-XXXX-XXXX``. The alphabet has no I, L, O or U, so a code read
aloud or copied by hand survives: look-ups accept lowercase, missing dashes
or spaces, and O for 0, I or L for 1."""
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def new_query_code():
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(code[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def canonical(code):
    """The code's 16 characters as issued, or None when it cannot be one."""
    if not isinstance(code, str):
        return None
    chars = code.upper().translate(_CONFUSABLES)
    if len(chars) != LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return chars
