"""Load shapes and percentiles. Every request is a green thread (the bench
process is monkey-patched in ``__main__``), so an open loop keeps sending on
schedule however slowly the server answers."""
import itertools
import time
from dataclasses import dataclass

import eventlet
import requests
from requests.adapters import HTTPAdapter


@dataclass
class Sample:
    index: int
    sent: float      # wall clock (time.time()): compared with the services' timestamps
    latency: float   # seconds until the HTTP response
    status: int
    body: dict | None


def http_session(connections=256):
    session = requests.Session()
    session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=connections))
    return session


def timed(request, index):
    sent, start = time.time(), time.perf_counter()
    try:
        response = request(index)
        status, body = response.status_code, response.json()
    except (requests.RequestException, ValueError):
        status, body = 0, None
    return Sample(index, sent, time.perf_counter() - start, status, body)


def open_loop(request, rate, seconds):
    """``request(i)`` sent at ``i / rate`` seconds, whether or not earlier ones answered."""
    pool, start = eventlet.GreenPool(100_000), time.monotonic()
    threads = []
    for index in range(int(rate * seconds)):
        eventlet.sleep(max(0.0, start + index / rate - time.monotonic()))
        threads.append(pool.spawn(timed, request, index))
    return [thread.wait() for thread in threads]


def closed_loop(request, total, clients):
    """``clients`` clients, each sending its next request when the last one answered."""
    counter, samples = itertools.count(), []

    def client():
        while (index := next(counter)) < total:
            samples.append(timed(request, index))

    pool = eventlet.GreenPool(clients)
    for _ in range(clients):
        pool.spawn_n(client)
    pool.waitall()
    return sorted(samples, key=lambda s: s.index)


def percentiles(values, points=(50, 95, 99)):
    """Nearest-rank percentiles, in the unit of ``values``; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return {p: None for p in points}
    return {p: ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))]
            for p in points}
