"""The gateway stops under steady traffic. nameko waits for the running
workers before it stops its web server, which meanwhile took requests on the
front's kept-alive connections and started workers for them: with requests
always under way the wait never ended, and under load the gateway ran into its
grace period and was killed (tests/faults/test_graceful_shutdown.py)."""
import time

import eventlet
import requests

from deploy.stack import free_port
from services.gateway.http import http

REQUEST_SECONDS = 0.2
CLIENTS = 8  # staggered: at every moment some request is under way


class Slow:
    name = "slow"

    @http("GET", "/work")
    def work(self, request):
        eventlet.sleep(REQUEST_SECONDS)
        return {"done": True}


def test_a_stop_under_steady_keep_alive_traffic_ends_when_the_running_requests_do(
        container_factory):
    port = free_port()
    container = container_factory(Slow, {"WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
    container.start()
    answers, stopped = [], eventlet.event.Event()

    def client(n):
        eventlet.sleep(n * REQUEST_SECONDS / CLIENTS)
        with requests.Session() as session:  # one kept-alive connection, as the front's
            while not stopped.ready():
                try:
                    response = session.get(f"http://127.0.0.1:{port}/work",
                                           headers={"Accept-Language": "zh"}, timeout=5)
                    answers.append((response.status_code, response.json()))
                except requests.ConnectionError:
                    answers.append(("refused", None))
                    eventlet.sleep(0.05)

    clients = [eventlet.spawn(client, n) for n in range(CLIENTS)]
    while len(answers) < 2 * CLIENTS:
        eventlet.sleep(0.05)
    started = time.monotonic()
    with eventlet.Timeout(10, False):  # without the refusal: no end while clients send
        container.stop()
    took = time.monotonic() - started
    stopped.send()
    for gt in clients:
        gt.wait()

    assert took < 3 * REQUEST_SECONDS + 1, f"the stop took {took:.1f}s"
    refusals = [body for status, body in answers if status == 503]
    assert refusals, answers[-8:]
    assert refusals[0]["error"] == "service_unavailable"
    assert refusals[0]["message"] == "服务正在停止，请稍后再试"
    assert {status for status, _ in answers} <= {200, 503, "refused"}
