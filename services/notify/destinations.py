"""Where a webhook may go: no request of ours reaches an internal host (SSRF).

A registered URL is https (plain http only where the operator allows it:
``WEBHOOK_ALLOW_HTTP``, the local stack and tests), carries no user name or
password, and every address its host resolves to is a public one: never
loopback, private, link-local (169.254.169.254, the cloud's metadata),
multicast, reserved, unspecified, shared (100.64.0.0/10) or a translation
range that can lead back inside (NAT64, 6to4). Checked when it is registered
(the refusal names the field and the reason) and again before each delivery,
against what the name resolves to then (DNS rebinding).

The delivery itself goes through requests-hardened: it resolves the name once
more, refuses a loopback, private, link-local, reserved or multicast address,
and connects to the very address it checked (the certificate and SNI still
for the name); redirects are never followed.

``WEBHOOK_ALLOWED_HOSTS`` (host names or address literals, comma separated)
are trusted by the operator: no address check for them (the local stack's
receivers on 127.0.0.1), still no redirects.
"""
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from requests_hardened import Config, Manager

from core.errors import InvalidInput

# Not global but missed by ipaddress's own flags on Python 3.11.7 (fixed in
# later releases: python/cpython#113171), or leading back inside.
NOT_PUBLIC = tuple(ipaddress.ip_network(net) for net in (
    "100.64.0.0/10",  # shared address space (carrier-grade NAT)
    "192.0.0.0/24",  # IETF protocol assignments
    "192.88.99.0/24",  # 6to4 relay anycast
    "64:ff9b::/96", "64:ff9b:1::/48",  # NAT64: an IPv4 address inside
    "2002::/16",  # 6to4: an IPv4 address inside
    "2001:20::/28",  # ORCHIDv2
    "5f00::/16", "3fff::/20",  # segment routing, documentation
))

# The first that applies names the refusal.
KINDS = (
    ("unspecified", lambda ip: ip.is_unspecified),
    ("loopback", lambda ip: ip.is_loopback),
    ("link-local", lambda ip: ip.is_link_local),
    ("multicast", lambda ip: ip.is_multicast),
    ("private", lambda ip: ip.is_private),
    ("reserved", lambda ip: ip.is_reserved),
    ("not public", lambda ip: not ip.is_global or any(ip in net for net in NOT_PUBLIC)),
)

REFUSED = "推送地址不被允许"


def address_kind(address):
    """Why ``address`` (text) is no place for a webhook, or None for a
    public address. An IPv4 address mapped into IPv6 is judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return next((name for name, applies in KINDS if applies(ip)), None)


class Refused(Exception):
    """A URL that is no place for a webhook: ``reason`` in Chinese (its
    English in core.errors.PHRASES)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Destinations:
    allow_http: bool = False
    allowed_hosts: frozenset = frozenset()
    timeout: float = 10.0
    # socket.getaddrinfo's signature; a test gives its own answers.
    resolve: object = field(default=socket.getaddrinfo, compare=False)

    @classmethod
    def from_config(cls, config):
        hosts = config.get("WEBHOOK_ALLOWED_HOSTS") or ""
        if isinstance(hosts, str):
            hosts = hosts.split(",")
        return cls(allow_http=str(config.get("WEBHOOK_ALLOW_HTTP", "")).lower()
                   in ("1", "true", "yes"),
                   allowed_hosts=frozenset(h.strip().lower() for h in hosts if h.strip()),
                   timeout=float(config.get("WEBHOOK_TIMEOUT_SECONDS", 10)))

    def check(self, url):
        """Raise ``Refused`` unless ``url`` may receive webhooks now."""
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and self.allow_http):
            raise Refused("只接受https地址")
        if parts.username is not None or parts.password is not None:
            raise Refused("地址中不能含用户名或密码")
        host = (parts.hostname or "").lower()
        if not host:
            raise Refused("缺少主机名")
        if host in self.allowed_hosts:
            return
        try:
            answers = self.resolve(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, ValueError):
            raise Refused(f"无法解析主机名{host}") from None
        for *_, sockaddr in answers:
            kind = address_kind(sockaddr[0])
            if kind is not None:
                raise Refused(f"{host}解析到非公网地址{sockaddr[0]}（{kind}）")

    def require(self, url, field_name="url"):
        """``check`` as the 400 a registration gets."""
        try:
            self.check(url)
        except Refused as refusal:
            raise InvalidInput(REFUSED, {field_name: [refusal.reason]}) from None

    def post(self, url, **kwargs):
        """POST to ``url`` once it passed ``check`` again; never a redirect."""
        self.check(url)
        trusted = (urlsplit(url).hostname or "").lower() in self.allowed_hosts
        with Manager(Config(ip_filter_enable=not trusted, ip_filter_allow_loopback_ips=False,
                            never_redirect=True, default_timeout=self.timeout)).get_session() as s:
            s.trust_env = False  # no proxy from the environment between us and the check
            return s.post(url, allow_redirects=False, timeout=self.timeout, **kwargs)
