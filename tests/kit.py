"""What tests share: a SQLite store for domain tests, and for container tests
on the real broker a service config, waiting, counting rows, publishing an
event as another service would, and a recorder of what a service published.

    from tests.kit import publish, recorded, recorder, service_config, wait_for
"""
import shutil
from contextlib import contextmanager

import eventlet
import pytest
from kombu import Connection, Exchange
from nameko.containers import ServiceContainer
from nameko.extensions import DependencyProvider
from sqlalchemy import JSON, Integer, String, delete, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from core.actors import ActorSigner, ActorVerifier
from core.broker import TimedRpcProxy
from core.handlers import handle_each
from core.store import OutboxMessage, Store, StoreHandle, create_tables, make_engine
from deploy.stack import free_port
from services.gateway.http import API
from services.gateway.service import GatewayService


@contextmanager
def sqlite_store(url, base, handler="test"):
    """A StoreHandle on a fresh store at ``url`` with ``base``'s tables and the
    messaging tables, as a service's entrypoint gets one."""
    engine = make_engine(url)
    create_tables(engine, base)
    try:
        yield StoreHandle(sessionmaker(engine, expire_on_commit=False), handler=handler)
    finally:
        engine.dispose()


def template_store(tmp_path_factory, name, base, fill):
    """A SQLite store file with ``base``'s tables, filled once by
    ``fill(store)``, for a session of tests that each use a copy of it
    (``store_copy``): filling it is too slow to do per test."""
    path = tmp_path_factory.mktemp(name) / f"{name}.db"
    with sqlite_store(f"sqlite:///{path}", base) as store:
        fill(store)
    return path


@contextmanager
def store_copy(template, tmp_path, base):
    """A store of its own holding what ``template`` holds (a copy: the test
    may change it)."""
    path = tmp_path / template.name
    shutil.copy(template, path)
    with sqlite_store(f"sqlite:///{path}", base) as store:
        yield store


def store_fixture(base):
    """A ``store`` fixture for a service's unit tests: a StoreHandle on a fresh
    SQLite store with ``base``'s tables, one per test."""
    @pytest.fixture
    def store(sqlite_url):
        with sqlite_store(sqlite_url, base) as handle:
            yield handle
    return store


def service_config(amqp_uri, db_url, **extra):
    """A container's config: quick relay and retries, so tests wait little."""
    return {"AMQP_URI": amqp_uri, "DB_URL": db_url, "OUTBOX_POLL_SECONDS": 0.2,
            "EVENT_RETRY_DELAYS": [0.2, 0.4], **extra}


def wait_for(predicate, timeout=15):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


def count_rows(url, model):
    return _read(url, lambda conn: conn.execute(
        select(func.count()).select_from(model)).scalar())


def publish(amqp_uri, contract, **fields):
    """Publish an event built by ``contract`` straight to its exchange, as the
    producing service's outbox relay would (persistent, broker-confirmed)."""
    payload = contract.build(**fields)
    exchange = Exchange(contract.exchange, type="topic", durable=True)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        conn.Producer().publish(payload, exchange=exchange, routing_key=contract.event_type,
                                declare=[exchange], delivery_mode="persistent",
                                serializer="json")
    return payload


class StandInStore(Store):
    """The store of a test's stand-in service: it has no migrations, so its
    tables are made as it starts."""

    def setup(self):
        super().setup()
        create_tables(self.engine, self.base)


class RecorderBase(DeclarativeBase):
    pass


class Recorded(RecorderBase):
    __tablename__ = "recorded"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict] = mapped_column(JSON)


def recorder(*contracts, name="recorder"):
    """A service class that records, once, each event of ``contracts`` it
    receives into its own store (``DB_URL``); read them with ``recorded``."""
    def record(self, tx, contract, event):
        tx.session.add(Recorded(event_type=contract.event_type,
                                payload=contract.dump(event)))

    return handle_each(type("Recorder", (), {"name": name, "store": StandInStore(RecorderBase)}),
                       contracts, record)


def recorded(url, event_type=None):
    """The payloads a recorder with store ``url`` received, in arrival order."""
    query = select(Recorded.payload).order_by(Recorded.id)
    if event_type is not None:
        query = query.where(Recorded.event_type == event_type)
    return _read(url, lambda conn: conn.execute(query).scalars().all())


def _read(url, read):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return read(conn)
    finally:
        engine.dispose()


def sealed(secrets_env, **fields):
    """``fields`` sealed as intake seals what a private event carries for
    notify (core/sealed.py, PRIVATE_EVENT_KEYS)."""
    from core.sealed import Sealer
    return Sealer(secrets_env["PRIVATE_EVENT_KEYS"], "PRIVATE_EVENT_KEYS").seal(fields)


def prove_phone(store, settings, data):
    """``data`` with the code intake texts for its phone and ID number, as the
    citizen would type it in (read from the outbox, then removed from it as
    the relay removes a private event once published). Data whose phone or ID
    number is itself invalid gets a code that was never sent."""
    from core.errors import InvalidInput
    from services.intake import phone_codes

    try:
        with store.transaction() as tx:
            phone_codes.request_code(tx, {"phone": data.get("phone"),
                                          "id_number": data.get("id_number")},
                                     "198.51.100.7", settings)
            row = tx.session.scalar(select(OutboxMessage).where(
                OutboxMessage.routing_key == "phone_code").order_by(OutboxMessage.id.desc()))
            tx.session.execute(delete(OutboxMessage).where(OutboxMessage.id == row.id))
            return {**data, "sms_code": settings.private.open(row.payload["sealed"])["code"]}
    except InvalidInput:
        return {**data, "sms_code": "000000"}
def accounts_stand_in(disabled=()):
    """A service named routing that answers only ``token_state``, as routing
    does for accounts signed in once and never changed (token version 0, as
    a token signed without one carries): for tests of a service's @staff_rpc
    over the broker without routing's store. ``disabled``: usernames refused."""
    from core.broker import rpc

    def token_state(self, username):
        return {"active": username not in disabled, "token_version": 0}
    return type("Routing", (), {"name": "routing", "token_state": rpc(token_state)})


class StandIn(DependencyProvider):
    """Hands every worker the same stand-in service object, or a new one from
    a PerWorker. (nameko's replace_dependencies would leave the RPC proxies'
    reply listener behind, and that connects to a broker.)"""

    def __init__(self, service):
        self.service = service

    def get_dependency(self, worker_ctx):
        return self.service.make() if isinstance(self.service, PerWorker) else self.service


class PerWorker:
    """A stand-in made anew for each worker, as a dependency that keeps what
    one request met is (the gateway's trackings across deployments)."""

    def __init__(self, make):
        self.make = make


@contextmanager
def gateway_url(services, keys):
    """The gateway serving real HTTP on a free port, each RPC proxy replaced
    by the object ``services`` gives for it (None for those not given: no
    proxy may connect to a broker); yields the API's base URL."""
    port = free_port()
    proxies = [name for name, value in vars(GatewayService).items()
               if isinstance(value, TimedRpcProxy)]
    gateway = type("GatewayService", (GatewayService,),
                   {name: StandIn(services.get(name)) for name in proxies})
    container = ServiceContainer(gateway, {
        "AMQP_URI": "amqp://unused", "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "ACTOR_SIGNING_KEY": keys["ACTOR_SIGNING_KEY"],
        "SUBMISSION_KEYS": keys["SUBMISSION_KEYS"]})
    container.start()
    try:
        yield f"http://127.0.0.1:{port}{API}"
    finally:
        container.stop()


class AsStaffRpc:
    """A service's worker (worker_factory) called as its ``@staff_rpc``
    entrypoints call it: the ``actor`` argument, a token, verified first."""

    def __init__(self, worker, verify_key):
        from core.actors import Actor, ActorVerifier
        verifier = ActorVerifier(verify_key)
        self.worker, self.verify = worker, lambda token: Actor(verifier.verify(token), token)

    def __getattr__(self, name):
        import inspect
        method = getattr(self.worker, name)

        def call(*args, **kwargs):
            bound = inspect.signature(method).bind(*args, **kwargs)
            if "actor" in bound.arguments:
                bound.arguments["actor"] = self.verify(bound.arguments["actor"])
            return method(*bound.args, **bound.kwargs)
        return call


class OnStore:
    """A service stood in by its own domain functions on a real store, each
    called as its ``@staff_rpc`` entrypoint calls it: in a transaction, the
    ``actor`` token verified first. ``functions``: the RPC's name -> its
    domain function, called ``(tx, actor, *the RPC's other arguments)``."""

    def __init__(self, store, verify_key, **functions):
        self.store, self.verify = store, ActorVerifier(verify_key).verify
        self.functions = functions

    def __getattr__(self, name):
        try:
            function = self.__dict__["functions"][name]
        except KeyError:
            raise AttributeError(name) from None

        def call(actor, *args):
            with self.store.transaction() as tx:
                return function(tx, self.verify(actor), *args)
        return call


def bearer(keys, actor, seconds=600):
    """The Authorization header with ``actor``'s token, signed with ``keys``."""
    return {"Authorization": "Bearer " + ActorSigner(keys["ACTOR_SIGNING_KEY"], seconds).issue(actor)[0]}


def stood_in(keys, **make):
    """The fixtures of a module testing the gateway with services stood in,
    to assign in the module: one per service, by its name (``make``: the
    name -> what makes its stand-in, anew for each test), then ``url``, the
    gateway's API on real HTTP with them:

        routing, url = stood_in(KEYS, routing=Routing)"""
    def stand_in(name):
        return pytest.fixture(name=name)(lambda: make[name]())

    @pytest.fixture(name="url")
    def url(request):
        with gateway_url({name: request.getfixturevalue(name) for name in make}, keys) as address:
            yield address
    return (*map(stand_in, make), url)


def personal_data_expired(case_number, period="case_file", area_code="370102"):
    """tracking's announcement that ``case_number``'s retention ``period`` has
    passed (core/retention.py), as a handler receives it."""
    from datetime import datetime, timezone

    from core import events
    contract = events.PERSONAL_DATA_EXPIRED
    return contract.load(contract.build(
        case_number=case_number, area_code=area_code, unit_code=None, period=period,
        final_at=datetime(2023, 1, 2, 3, tzinfo=timezone.utc)))
