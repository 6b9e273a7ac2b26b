"""One RabbitMQ user per service, with only the permissions it needs.

The permissions are read off the service classes themselves (which exchanges
their handlers consume, which services they call), so they stay right as the
services change. ``python -m deploy.broker_users`` prints the table (ops: this
is the one place it is documented); ``make run`` and the test stacks create the
users with ``ensure_users`` in their vhost.

For a service S, in its vhost:

- configure (declare): its RPC queue ``rpc-S``, its reply queues
  ``rpc.reply-S-<uuid>``, its handler queues ``evt-...--S.<method>`` (with their
  retry and parked queues), its events exchange ``S.events``, ``nameko-rpc`` and
  the exchanges it consumes (nameko declares a handler's source exchange), and
  ``unrouted`` (its outbox relay sets aside there an event no queue binds,
  core/publish.py; write on the default exchange is enough to publish there);
- write (publish, bind a queue): ``nameko-rpc`` (calls and replies), its events
  exchange, the default exchange (retries and parking), its own queues;
- read (consume, bind from an exchange): its own queues, ``nameko-rpc`` and the
  exchanges it consumes. Only notify may read ``intake.private.events``;
- topic permissions on ``nameko-rpc``: it may bind only its own RPC key
  (``S.*``) and reply keys (UUIDs), so it cannot bind a queue that copies
  another service's requests; it may publish only calls to the services it
  calls, and replies.

Topology (``deploy.topology``) is declared beforehand by an operator's user
(``guest`` on a developer's machine), never by a service.

What RabbitMQ cannot express: configure on a consumed exchange also allows
deleting it; a service could declare an extra queue named like its own. Both
stay within the service's own names or its sources.
"""
import base64
import hashlib
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from nameko.containers import ServiceContainer
from nameko.rpc import RpcProxy

from core import events
from core.config import load_config
from core.handlers import ReliableEventHandler
from core.publish import UNROUTED
from deploy.rabbitmq import import_definitions
from deploy.services import deployed_services, service_class

RPC_EXCHANGE = "nameko-rpc"
COUNTY_SUFFIX = "(_[0-9]{6})?"
REPLY_KEY = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Permissions:
    service: str
    publishes: tuple  # its events exchanges (core.events: public and private)
    consumes: tuple   # exchanges its handlers bind to
    calls: tuple      # services it calls by RPC

    @property
    def configure(self):
        return _any(self._own_queues() + [re.escape(RPC_EXCHANGE), re.escape(UNROUTED.name)]
                    + [re.escape(e) for e in (*self.publishes, *self.consumes)])

    @property
    def write(self):
        return _any(self._own_queues() + [re.escape(RPC_EXCHANGE), re.escape("amq.default")]
                    + [re.escape(e) for e in self.publishes])

    @property
    def read(self):
        return _any(self._own_queues() + [re.escape(RPC_EXCHANGE)]
                    + [re.escape(e) for e in self.consumes])

    @property
    def topic_read(self):
        """Binding keys it may use on nameko-rpc."""
        return _any([re.escape(f"{self.service}.") + r"(\*|[A-Za-z_]+)", REPLY_KEY])

    @property
    def topic_write(self):
        """Routing keys it may publish to nameko-rpc: calls and replies."""
        # A service it calls, or a county's deployment of it (core/areas.py).
        return _any([re.escape(s) + COUNTY_SUFFIX + r"\.[A-Za-z_]+" for s in self.calls]
                    + [REPLY_KEY])

    def _own_queues(self):
        s = re.escape(self.service)
        return [f"rpc-{s}", rf"rpc\.reply-{s}-{REPLY_KEY}", rf"evt-.+--{s}\.[A-Za-z_.0-9]+"]


def _any(patterns):
    return "^(" + "|".join(patterns) + ")$"


def permissions(name, county=None):
    # Read off a container that is never started (as deploy.topology does).
    container = ServiceContainer(service_class(name, county),
                                 {**load_config(name), "AMQP_URI": "amqp://unused/"})
    consumes = sorted({e.contract.exchange for e in container.entrypoints
                       if isinstance(e, ReliableEventHandler)})
    calls = sorted({d.target_service for d in container.dependencies
                    if isinstance(d, RpcProxy)})
    publishes = sorted({c.exchange for c in events.ALL if c.source.split(".")[0] == name}
                       | {f"{name}.events"})
    return Permissions(container.service_name, tuple(publishes), tuple(consumes), tuple(calls))


def all_permissions(county=None):
    """Of the city's services, or of ``county``'s own (deploy/county.py)."""
    return [permissions(name, county) for name in deployed_services(county)]


def user_name(service, prefix="petition"):
    return f"{prefix}-{service}"


def ensure_users(rabbitmqctl, vhost, prefix="petition", passwords=None, county=None):
    """Create (or update) each service's user in ``vhost`` with its
    permissions; returns ``{service: (user, password)}``. ``rabbitmqctl`` runs
    one command (deploy.rabbitmq.rabbitmqctl). One ``import_definitions`` for
    them all: each rabbitmqctl command starts an Erlang VM (a second or more),
    and three per service made this most of a stack's start."""
    passwords = dict(passwords or {})
    users, definitions = {}, {"users": [], "permissions": [], "topic_permissions": []}
    for p in all_permissions(county):
        user = user_name(p.service, prefix)
        password = passwords.get(p.service) or secrets.token_hex(24)
        # Only the salted hash goes into the definitions (rabbitmqctl reads them
        # from a file), as RabbitMQ itself keeps it.
        definitions["users"].append({"name": user, "password_hash": password_hash(password),
                                     "hashing_algorithm": "rabbit_password_hashing_sha256",
                                     "tags": ""})
        definitions["permissions"].append({"user": user, "vhost": vhost, "configure": p.configure,
                                           "write": p.write, "read": p.read})
        definitions["topic_permissions"].append({
            "user": user, "vhost": vhost, "exchange": RPC_EXCHANGE, "write": p.topic_write,
            "read": p.topic_read})
        users[p.service] = (user, password)
    import_definitions(rabbitmqctl, definitions)
    return users


def password_hash(password):
    """RabbitMQ's ``rabbit_password_hashing_sha256`` of ``password``: base64 of
    a 4-byte salt followed by SHA-256 of the salt and the password."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def delete_users(rabbitmqctl, prefix):
    """Every service user named with ``prefix`` (the city's and any county's),
    all at once (each rabbitmqctl waits a second or more for its Erlang VM)."""
    users = [line.split("\t")[0] for line in rabbitmqctl("list_users").splitlines()]
    mine = [user for user in users if user.startswith(user_name("", prefix))]
    with ThreadPoolExecutor(max_workers=max(len(mine), 1)) as pool:
        list(pool.map(lambda user: rabbitmqctl("delete_user", user), mine))


def service_uri(base_uri, user, password):
    """``base_uri`` (amqp://admin:pw@host:port/vhost) as ``user``; every URL
    of a ``;``-separated list of a cluster's nodes."""
    def one(uri):
        scheme, _, rest = uri.partition("://")
        _, _, host_and_vhost = rest.rpartition("@")
        return f"{scheme}://{user}:{password}@{host_and_vhost}"
    return ";".join(one(uri) for uri in base_uri.split(";"))


def main():
    print("| service | publishes | consumes | calls | configure | write | read | nameko-rpc binding keys |"
          " nameko-rpc publish keys |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in all_permissions():
        print(f"| {p.service} | {', '.join(p.publishes)} | {', '.join(p.consumes) or '-'} | {', '.join(p.calls) or '-'} "
              f"| `{p.configure}` | `{p.write}` | `{p.read}` | `{p.topic_read}` "
              f"| `{p.topic_write}` |")


if __name__ == "__main__":
    main()
