"""One running stack for the security suite, with the shipped limits (only
the front's deadlines shortened, so a stalled client is seen cut off within
a test). Tests that count per-address limits each come from addresses of
their own (127.0.0.x: the front sees them as different clients)."""
import itertools

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.stack import running_stack

SECURITY_ENV = {"FRONT_HEADER_TIMEOUT": "3s", "FRONT_BODY_TIMEOUT": "3s",
                "FRONT_CONNECTIONS_PER_CLIENT": "20",
                # Routing's lockout per address within the front's burst of
                # sign-ins (10), so that the tests see routing's, not only the front's.
                "SIGN_IN_ADDRESS": "[8, 900]",
                # The access logs are written at INFO: the log scan needs them.
                "LOG_LEVEL": "INFO"}

_addresses = (f"127.0.{i}.{j}" for i, j in itertools.product(range(1, 250), range(2, 250)))


@pytest.fixture(scope="package")
def stack(tmp_path_factory, secrets_env):
    with running_stack(tmp_path_factory.mktemp("var"), secrets_env, env=SECURITY_ENV,
                       limits_lifted=False) as stack:
        yield stack


class FromAddress(HTTPAdapter):
    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Client:
    """A client of its own address; ``call`` as tests.stack.api."""

    def __init__(self, stack, address=None):
        self.stack, self.address = stack, address or next(_addresses)
        self.session = requests.Session()
        self.session.mount("http://", FromAddress(self.address))

    def call(self, method, path, token=None, timeout=30, **kwargs):
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}),
                   **kwargs.pop("headers", {})}
        return self.session.request(method, f"{self.stack.url}/api/v1{path}", headers=headers,
                                    timeout=timeout, **kwargs)


@pytest.fixture
def client(stack):
    """A client with an address no other test uses."""
    return Client(stack)


def new_client(stack):
    return Client(stack)


_people = itertools.count(1)


def new_person():
    """A phone and a resident ID number no other test of the run uses (the
    limits count per phone and per ID number)."""
    from stdnum.cn import ric
    n = next(_people)
    base = f"370102{1950 + n % 50}0{1 + n % 9}1{n % 10}{n % 1000:03d}"[:17]
    return {"phone": f"1351234{n:04d}", "id_number": base + ric.calc_check_digit(base + "0")}
