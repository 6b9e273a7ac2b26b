"""Slow and many clients against the running front: stalled connections
neither starve other clients nor stay open; one address holds only so many."""
import http.client
import socket
import time

import pytest

from tests.stack import api

pytestmark = pytest.mark.e2e

STALLERS = 50


def stalled_connection(stack, half_body=True):
    """A connection that sends the headers (and half a body) of a POST, then
    nothing more."""
    sock = socket.create_connection(("127.0.0.1", stack.port), timeout=30)
    head = ("POST /api/v1/petitions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 1000\r\n\r\n")
    sock.sendall(head.encode() + (b'{"name": "' if half_body else b""))
    return sock


def stalled_header(stack):
    sock = socket.create_connection(("127.0.0.1", stack.port), timeout=30)
    sock.sendall(b"GET /api/v1/categories HTTP/1.1\r\nHost: x\r\n")  # no blank line: never ends
    return sock


def other_client_get(stack, path, timeout=3):
    """A GET from another address (127.0.0.2): another citizen."""
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=timeout,
                                      source_address=("127.0.0.2", 0))
    try:
        started = time.monotonic()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def closed_by_server(sock, within):
    """True when the server closes ``sock`` (EOF or reset) within ``within`` s."""
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


@pytest.mark.timeout(120)
def test_stalled_connections_do_not_starve_other_clients_and_are_cut_off(stack):
    stallers = ([stalled_connection(stack) for _ in range(STALLERS // 2)]
                + [stalled_header(stack) for _ in range(STALLERS // 2)])
    try:
        time.sleep(0.5)
        for path in ("/healthz", "/api/v1/categories", "/api/v1/areas"):
            status, took = other_client_get(stack, path)
            assert status == 200 and took < 2, (path, status, took)
        # The front's body and header timeouts are 3 s here: every stalled
        # connection is closed by the server, not left open for minutes.
        started = time.monotonic()
        assert all(closed_by_server(s, within=10) for s in stallers)
        assert time.monotonic() - started < 12
    finally:
        for s in stallers:
            s.close()


@pytest.mark.timeout(60)
def test_one_address_holds_only_so_many_requests_at_once(stack):
    stallers = [stalled_connection(stack) for _ in range(25)]  # the cap is 20 here
    try:
        time.sleep(0.5)
        refused = api(stack, "GET", "/categories", timeout=5)
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"] == "too_many_requests"
        assert int(refused.headers["Retry-After"]) > 0
        assert other_client_get(stack, "/api/v1/categories")[0] == 200
    finally:
        for s in stallers:
            s.close()
