"""Providers: the one interface the sender uses per channel, and the
implementations selectable by config. SMS: ``SMS_PROVIDER`` = record, failing
or http (an HTTP SMS gateway); email: SMTP when ``SMTP_HOST`` is set, else
recorded to a file like the record SMS provider."""
import fcntl
import logging
import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import requests

from core.errors import ConfigurationError
from core.privacy import mask_phone
from core.store import utcnow

log = logging.getLogger(__name__)


class SmsProvider:
    """Delivers one text to one address (a mobile number, a mailbox). ``send``
    returns when the provider accepted the message and raises otherwise; the
    exception's text is stored as the attempt's error, so it must not contain
    the message. ``key``: the caller's id for this message (notify's message
    id), the same on every attempt: the provider delivers one text per key, so
    a message sent again after a crash (sending.py: at least once) reaches the
    phone once. None: no such id, every call delivers."""

    def send(self, phone, text, key=None):
        raise NotImplementedError

    def forget(self, keys):
        """Erase what this provider keeps of the messages of ``keys``
        (personal-data retention, services/notify/retention.py); how many it
        changed. A real gateway keeps its records under its own contract:
        nothing here."""
        return 0


def mask_email(address):
    """``ops@lixia.gov.cn`` -> ``o**@lixia.gov.cn``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}**@{domain}"


class RecordProvider(SmsProvider):
    """The developer's provider: delivers nothing, records what a citizen (or
    a unit's mailbox) would receive in a file (the inbox, as it were: it holds
    numbers and codes, like the phone). The service log gets only the masked
    address.

    A line is the time, the address and the text, tab-separated, then a
    column ``key=KEY`` when the sender gave a key; a text's line breaks, tabs
    and backslashes are written escaped (``\\n``, ``\\t``, ``\\\\``). The file stands in for the
    gateway, so it honours keys as one does: a key already in the file is not
    written again, whoever wrote it (another process, this one before a
    restart). Before each keyed write the file is read, under an exclusive
    lock, from where this provider last read (from the start after a restart,
    or when the file was emptied).

    ``forget`` (retention) masks the address and stars out the text of the
    lines of some keys, in place: each line keeps its length, and the file
    its size, so every process's read position stays right."""

    KEY = re.compile(r"\tkey=(\S+)$", re.MULTILINE)

    def __init__(self, log_path, mask=mask_phone, what="SMS"):
        self.log_path, self.mask, self.what = Path(log_path), mask, what
        self.keys, self.read_upto = set(), 0

    def send(self, phone, text, key=None):
        os.makedirs(self.log_path.parent, exist_ok=True)
        line = f"{utcnow().isoformat()}\t{phone}\t{_one_line(text)}"
        with open(self.log_path, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # released when the file closes
            if key is not None:
                if os.fstat(f.fileno()).st_size < self.read_upto:  # emptied meanwhile
                    self.keys, self.read_upto = set(), 0
                f.seek(self.read_upto)
                self.keys.update(self.KEY.findall(f.read().decode("utf-8", "replace")))
                self.read_upto = f.tell()
                if key in self.keys:
                    log.info("%s to %s: key %s already delivered, dropped", self.what,
                             self.mask(phone), key)
                    return
                # Not added to self.keys here: the next send reads this line
                # back from the file, so a write that fails leaves no key.
                line += f"\tkey={key}"
            f.write(f"{line}\n".encode())
        log.info("%s to %s (%d characters)", self.what, self.mask(phone), len(text))

    def forget(self, keys):
        keys = {str(key) for key in keys}
        if not keys or not self.log_path.exists():
            return 0
        changed = 0
        with open(self.log_path, "r+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            lines = f.read().split(b"\n")
            for n, line in enumerate(lines):
                found = self.KEY.search(line.decode("utf-8", "replace"))
                if found and found.group(1) in keys:
                    if line.count(b"\t") < 3:  # not one of this provider's records
                        log.warning("%s: a line of key %s unreadable, left as it is",
                                    self.what, found.group(1))
                        continue
                    at, address, rest = line.split(b"\t", 2)
                    text = rest[:rest.rindex(b"\tkey=")]
                    masked = _same_length(self.mask(address.decode("utf-8", "replace")), address)
                    forgotten = b"\t".join((at, masked, b"*" * len(text), b"key=" + found.group(1).encode()))
                    changed += forgotten != line
                    lines[n] = forgotten
            f.seek(0)
            f.write(b"\n".join(lines))
        log.info("%s: %d recorded texts forgotten", self.what, changed)
        return changed


# A text is one line of the log: a reason a member of staff typed may hold a
# line break or a tab, which would split the record and hide its key.
ONE_LINE = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _one_line(text):
    return text.translate(ONE_LINE)


def _same_length(text, original):
    """``text`` (ASCII) cut or padded with ``*`` to ``original``'s bytes."""
    return text.encode()[:len(original)].ljust(len(original), b"*")


class SendFailed(Exception):
    pass


class FailingProvider(SmsProvider):
    """Never delivers: shows the retries, the backoff and the failed state."""

    def send(self, phone, text, key=None):
        raise SendFailed("the failing provider never delivers")


IDEMPOTENCY_HEADER = "Idempotency-Key"


class HttpSmsProvider(SmsProvider):
    """An SMS gateway over HTTP, Twilio's Programmable Messaging API
    (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
    ``POST {url}/2010-04-01/Accounts/{account}/Messages.json``, form fields
    To (E.164), From and Body, HTTP basic auth with the account and its key;
    201 means accepted. Any other gateway with a key and a URL is one more
    class like this one.

    The message's key goes in the ``Idempotency-Key`` header (the IETF
    httpapi draft's name): a gateway that honours it answers a repeated key
    with its first answer and does not send the text again; one that does
    not ignores the header (README: the gateway, or a proxy, must honour it)."""

    def __init__(self, url, account, key, sender, timeout=10):
        missing = [name for name, value in (("SMS_HTTP_URL", url), ("SMS_HTTP_ACCOUNT", account),
                                            ("SMS_HTTP_KEY", key), ("SMS_HTTP_FROM", sender))
                   if not value]
        if missing:
            raise ConfigurationError(f"SMS_PROVIDER=http needs {', '.join(missing)}")
        self.endpoint = f"{url.rstrip('/')}/2010-04-01/Accounts/{account}/Messages.json"
        self.auth, self.sender, self.timeout = (account, key), sender, float(timeout)

    def send(self, phone, text, key=None):
        headers = {} if key is None else {IDEMPOTENCY_HEADER: key}
        try:
            response = requests.post(self.endpoint, auth=self.auth, timeout=self.timeout,
                                     headers=headers, data={
                "To": phone if phone.startswith("+") else f"+86{phone}",
                "From": self.sender, "Body": text})
        except requests.RequestException as exc:
            raise SendFailed(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if response.status_code != 201:
            # The gateway's error code and message, never our text.
            try:
                error = response.json()
                reason = f"{error.get('code')} {str(error.get('message'))[:100]}"
            except ValueError:
                reason = "no JSON error"
            raise SendFailed(f"SMS gateway answered {response.status_code}: {reason}")
        log.info("SMS to %s accepted by the gateway", mask_phone(phone))


class SmtpProvider(SmsProvider):
    """Email by SMTP: ``security`` is starttls (port 587), tls (implicit, 465)
    or none (a relay on the local network); a login when a username is set.
    The text's first line is the subject, the rest the body. SMTP has no
    idempotency key: a message sent again after a crash is delivered again,
    but with the same Message-ID (from the key), which mail clients and
    archives use to recognise the copy as the one message."""

    SECURITY = ("starttls", "tls", "none")

    def __init__(self, host, port, sender, security="starttls", username=None, password=None,
                 timeout=10, context=None):
        if security not in self.SECURITY:
            raise ConfigurationError(f"SMTP_SECURITY must be one of {', '.join(self.SECURITY)}")
        if not sender:
            raise ConfigurationError("SMTP_FROM must be set when SMTP_HOST is")
        self.host, self.port, self.sender = host, int(port), sender
        self.security, self.username, self.password = security, username, password
        self.timeout = float(timeout)
        self.context = context or ssl.create_default_context()

    def send(self, address, text, key=None):
        subject, _, body = text.partition("\n")
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, address, subject
        if key is not None:
            # Stable, unlike make_msgid's (which adds the time and a random part).
            message["Message-ID"] = f"<{key}@{self.sender.rpartition('@')[2] or 'localhost'}>"
        message.set_content(body.strip("\n"))
        try:
            if self.security == "tls":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=self.context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=self.context)
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"SMTP: {type(exc).__name__}: {str(exc)[:200]}") from None
        log.info("email to %s sent", mask_email(address))


def provider_from_config(config):
    name = config.get("SMS_PROVIDER", "record")
    if name == "record":
        return RecordProvider(config.get("SMS_LOG_PATH", "var/sms.log"))
    if name == "failing":
        return FailingProvider()
    if name == "http":
        return HttpSmsProvider(config.get("SMS_HTTP_URL"), config.get("SMS_HTTP_ACCOUNT"),
                               config.get("SMS_HTTP_KEY"), config.get("SMS_HTTP_FROM"),
                               config.get("SMS_HTTP_TIMEOUT", 10))
    raise ConfigurationError(f"unknown SMS_PROVIDER {name!r} (record, failing, http)")


def email_provider_from_config(config):
    if not config.get("SMTP_HOST"):
        return RecordProvider(config.get("MAIL_LOG_PATH", "var/mail.log"), mask_email, "email")
    return SmtpProvider(config["SMTP_HOST"], config.get("SMTP_PORT", 587),
                        config.get("SMTP_FROM"), config.get("SMTP_SECURITY", "starttls"),
                        config.get("SMTP_USERNAME") or None, config.get("SMTP_PASSWORD") or None,
                        config.get("SMTP_TIMEOUT", 10))
