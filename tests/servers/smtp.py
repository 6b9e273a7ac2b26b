"""A real SMTP server (aiosmtpd) for tests:

    python -m tests.servers.smtp PORT DIR SECURITY [CERT KEY USER PASSWORD]

SECURITY: none, starttls (STARTTLS required, login required) or tls
(implicit TLS, login required). Each message received is written to DIR as
JSON: who logged in, envelope, headers and body."""
import json
import ssl
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.directory, self.count = Path(directory), 0

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.count += 1
        (self.directory / f"{self.count:06d}.json").write_text(json.dumps({
            "login": session.auth_data.login.decode() if session.auth_data else None,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "subject": message["Subject"], "from": message["From"], "to": message["To"],
            "body": message.get_content().replace("\r\n", "\n"),
        }, ensure_ascii=False))
        return "250 OK"


def main(port, directory, security, cert=None, key=None, user=None, password=None):
    kwargs = {}
    if security != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)

        def authenticator(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and data.login.decode() == user
                  and data.password.decode() == password)
            return AuthResult(success=ok, handled=False, auth_data=data)

        kwargs = dict(authenticator=authenticator, auth_required=True)
        if security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            # The whole connection is TLS; aiosmtpd only counts STARTTLS as TLS.
            kwargs.update(ssl_context=context, auth_require_tls=False)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=int(port), **kwargs)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main(*sys.argv[1:])
