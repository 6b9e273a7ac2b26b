"""Where a webhook may go (services/notify/destinations.py): the addresses
refused, the checks at registration, and at delivery against real local
receivers that must receive nothing (a name rebound to loopback, a name the
check was told was public, a redirect)."""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.errors import InvalidInput, translate
from services.notify.destinations import Destinations, Refused, address_kind
from services.notify.providers import SendFailed
from services.notify.webhooks import WebhookProvider
from tests.servers import received, running

PUBLIC = "220.181.38.148"


def answers(*addresses):
    """A resolver that answers each call with the next address (the last one
    again after that): what a rebinding name server does."""
    queue = list(addresses)

    def resolve(host, port, type=0):
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
    return resolve


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("0.0.0.0", "unspecified"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.10", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("fd00::1", "private"), ("fd00:ec2::254", "private"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "private"), ("100.64.0.1", "not public"), ("192.0.0.8", "not public"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::a00:1", "reserved"), ("2002:a00:1::", "not public"),
    (PUBLIC, None), ("2400:da00::6666", None),
])
def test_each_internal_address_is_named_and_a_public_one_passes(address, kind):
    assert address_kind(address) == kind


@pytest.mark.parametrize("url, reason", [
    ("http://hooks.lixia.gov.cn/x", "只接受https地址"),
    ("ftp://hooks.lixia.gov.cn/x", "只接受https地址"),
    ("https://ops:pw@hooks.lixia.gov.cn/x", "地址中不能含用户名或密码"),
    ("https://ops@hooks.lixia.gov.cn/x", "地址中不能含用户名或密码"),
    ("https:///x", "缺少主机名"),
    ("https://127.0.0.1/x", "127.0.0.1解析到非公网地址127.0.0.1（loopback）"),
    ("https://169.254.169.254/latest/meta-data", "169.254.169.254解析到非公网地址169.254.169.254（link-local）"),
    ("https://[fd00::1]:8443/x", "fd00::1解析到非公网地址fd00::1（private）"),
    ("https://localhost/x", "localhost解析到非公网地址"),
])
def test_registration_refuses_with_the_field_and_the_reason(url, reason):
    with pytest.raises(InvalidInput) as refused:
        Destinations().require(url)
    assert refused.value.message == "推送地址不被允许"
    [said] = refused.value.details["url"]
    assert said.startswith(reason)
    assert translate(said, "en") != said  # told in English too (core.errors.PHRASES)


def test_a_name_that_does_not_resolve_is_refused():
    def resolve(host, port, type=0):
        raise socket.gaierror(-2, "Name or service not known")
    with pytest.raises(InvalidInput) as refused:
        Destinations(resolve=resolve).require("https://hooks.lixia.gov.cn/x")
    assert refused.value.details == {"url": ["无法解析主机名hooks.lixia.gov.cn"]}
    assert translate("无法解析主机名hooks.lixia.gov.cn", "en") == "hooks.lixia.gov.cn does not resolve"


def test_a_name_is_refused_when_any_of_its_addresses_is_internal():
    def resolve(host, port, type=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]
    with pytest.raises(Refused, match="10.0.0.7"):
        Destinations(resolve=resolve).check("https://hooks.lixia.gov.cn/x")
    Destinations(resolve=answers(PUBLIC)).check("https://hooks.lixia.gov.cn/x")


def test_the_operator_allows_plain_http_and_names_trusted_hosts():
    settings = Destinations.from_config({"WEBHOOK_ALLOW_HTTP": "true",
                                         "WEBHOOK_ALLOWED_HOSTS": " 127.0.0.1, Receiver.local "})
    assert settings.allow_http and settings.allowed_hosts == {"127.0.0.1", "receiver.local"}
    settings.check("http://127.0.0.1:8080/hooks")
    settings.check("http://receiver.local/hooks")
    with pytest.raises(Refused):  # trusted hosts are named, not every private address
        settings.check("http://10.0.0.5/hooks")
    strict = Destinations.from_config({"WEBHOOK_ALLOW_HTTP": False, "WEBHOOK_ALLOWED_HOSTS": None})
    assert not strict.allow_http and not strict.allowed_hosts


def _address(url):
    return json.dumps({"url": url, "secrets": ["s"], "delivery": "d-1", "kind": "case_assigned"})


def test_a_delivery_is_checked_again_and_a_rebound_name_gets_nothing(tmp_path):
    with running("webhook_receiver", tmp_path, "s", 0) as port:
        url = f"http://hooks.lixia.gov.cn:{port}/hooks"
        rebinding = Destinations(allow_http=True, resolve=answers(PUBLIC, "127.0.0.1"))
        rebinding.require(url)  # at registration: a public address
        with pytest.raises(SendFailed, match=r"address refused: .* resolves to 127\.0\.0\.1"):
            WebhookProvider(rebinding).send(_address(url), "{}")
        # Told the name is public, the connection still checks the address it
        # connects to (requests-hardened): localhost is 127.0.0.1.
        fooled = Destinations(allow_http=True, resolve=answers(PUBLIC))
        with pytest.raises(SendFailed, match="InvalidIPAddress"):
            WebhookProvider(fooled).send(_address(f"http://localhost:{port}/hooks"), "{}")
        with pytest.raises(SendFailed, match="address refused"):  # not allowed: loopback
            WebhookProvider(Destinations(allow_http=True)).send(
                _address(f"http://127.0.0.1:{port}/hooks"), "{}")
        assert received(tmp_path) == []
        # The operator's trusted host: delivered.
        WebhookProvider(Destinations(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"}))) \
            .send(_address(f"http://127.0.0.1:{port}/hooks"), "{}")
        assert [r["status"] for r in received(tmp_path)] == [200]


def test_a_redirect_is_never_followed():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(307 if self.path == "/hooks" else 200)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        trusted = Destinations(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"}))
        with pytest.raises(SendFailed, match="answered 307"):
            WebhookProvider(trusted).send(
                _address(f"http://127.0.0.1:{server.server_port}/hooks"), "{}")
    finally:
        server.shutdown()
        server.server_close()
    assert hits == ["/hooks"]
