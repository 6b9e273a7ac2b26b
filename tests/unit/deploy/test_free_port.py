"""deploy.stack.free_port: a port nothing listens on, never one from the
system's ephemeral range (where a port just let go is handed to the next
process that binds to 0)."""
import socket
from pathlib import Path

from deploy.stack import FREE_PORTS, free_port


def test_a_free_port_is_bindable_and_below_the_ephemeral_range():
    low, _ = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    assert FREE_PORTS.stop <= low
    ports = {free_port() for _ in range(20)}
    assert all(port in FREE_PORTS for port in ports) and len(ports) > 1
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_port_in_use_is_never_given(monkeypatch):
    with socket.socket() as held:
        held.bind(("127.0.0.1", free_port()))
        held.listen()
        taken = held.getsockname()[1]
        other = free_port()
        monkeypatch.setattr("deploy.stack.FREE_PORTS", [taken, other])
        monkeypatch.setattr("deploy.stack._handed_out", set())
        assert free_port() == other


def test_a_port_is_handed_out_once_even_before_it_is_bound(monkeypatch):
    ports = [free_port() for _ in range(20)]
    monkeypatch.setattr("deploy.stack.FREE_PORTS", ports)
    monkeypatch.setattr("deploy.stack._handed_out", set())
    assert sorted(free_port() for _ in range(20)) == sorted(ports)
