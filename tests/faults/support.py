"""What the fault tests share: a stack of their own (every service as its own
process, on a throw-away vhost), a steady stream of submissions from a
background thread, the checks that nothing accepted was lost or doubled, and
ways to reach the bus directly (publish an event, call a service by RPC, read
the parked queues)."""
import itertools
import json
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests
from kombu import Connection, Exchange
from nameko.standalone.rpc import ClusterRpcProxy

from core.config import ROOT
from tests.stack import (
    VALID,
    api,
    eventually,
    login,
    request_code,
    running_stack,
    sms_lines,
    submit_petition,
)

__all__ = ["VALID", "api", "eventually", "login", "running_stack", "sms_lines",
           "submit_petition"]  # re-exported

# A notify killed mid-send resends after its lease: keep that wait short.
FAULT_ENV = {"SEND_LEASE_SECONDS": "5"}

_phones = itertools.count(int(time.time() * 1000) % 10**7 * 10)


def new_phone():
    """A mobile number no other petition in this run has: SMS are counted per
    petitioner, so a petition created twice shows up as two SMS to one phone."""
    return f"139{next(_phones) % 10**8:08d}"


# --- submissions --------------------------------------------------------------

class SubmissionStream:
    """Submits petitions at ``rate`` per second from a background thread, each
    request in a thread of its own (a request stuck on a dead service must not
    slow the stream), until ``stop``. Keeps every outcome."""

    def __init__(self, stack, rate=10, request_timeout=60, codes=()):
        self.stack, self.interval, self.request_timeout = stack, 1 / rate, request_timeout
        # (phone, code) pairs asked for beforehand: a test that takes the
        # broker away uses them, so that a submission made during the outage
        # is judged on the petition, not on whether a code could be sent.
        self._codes = list(codes)
        self.accepted = []  # {case_number, query_code, phone}
        self.outcomes = Counter()  # HTTP status or exception name
        self.answers = []  # (sent, answered, outcome), time.monotonic()
        self.bad_errors = []  # error responses that are not clean JSON errors
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=200)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._running.set()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self._running.is_set():
            self._running.clear()
            self._thread.join()
            self._pool.shutdown(wait=True)

    def _run(self):
        n = 0
        while self._running.is_set():
            n += 1
            self._pool.submit(self._submit_one, n)
            time.sleep(self.interval)

    def _next_code(self):
        with self._lock:
            return self._codes.pop() if self._codes else None

    def _submit_one(self, n):
        prepared = self._next_code()
        sent = time.monotonic()
        phone = prepared[0] if prepared else new_phone()
        body = {**VALID, "phone": phone, "title": f"故障中提交 {n}"}
        try:
            # The code first, as a citizen: with a service down it may not
            # come, and this submission is then not made (an outcome too).
            code = prepared[1] if prepared else request_code(self.stack, phone, VALID["id_number"])
            response = requests.post(f"{self.stack.url}/api/v1/petitions",
                                     json={**body, "sms_code": code},
                                     timeout=self.request_timeout)
        except (requests.RequestException, AssertionError) as exc:
            self._record(type(exc).__name__, sent)
            return
        self._record(response.status_code, sent)
        if response.status_code == 201:
            with self._lock:
                self.accepted.append({**response.json(), "phone": phone})
        elif not _clean_error(response):
            with self._lock:
                self.bad_errors.append((response.status_code, response.text[:500]))

    def _record(self, outcome, sent):
        with self._lock:
            self.outcomes[outcome] += 1
            self.answers.append((sent, time.monotonic(), outcome))

    def first_accepted_sent_after(self, moment):
        """Seconds from ``moment`` until a submission sent after it was
        accepted (None if none was): how long the platform took to serve again."""
        done = [answered for sent, answered, outcome in self.answers
                if sent >= moment and outcome == 201]
        return min(done) - moment if done else None

    def flowing(self, timeout=30):
        """Wait (at most ``timeout``) until a submission sent from now on is
        accepted: the stream goes through the platform as it now runs (rather
        than a fixed pause, which a loaded machine may not fill)."""
        moment = time.monotonic()
        eventually(lambda: self.first_accepted_sent_after(moment) is not None, timeout=timeout)


def prepare_codes(stack, count, workers=10):
    """``count`` (phone, code) pairs, each a code sent to a fresh phone and
    not yet used: for a stream that must not depend on SMS during a fault."""
    def one(_):
        phone = new_phone()
        return phone, request_code(stack, phone, VALID["id_number"])
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(count)))


def submit(stack, **fields):
    """One petition, accepted; its receipt with the petitioner's phone."""
    phone = new_phone()
    response = submit_petition(stack, {**VALID, "phone": phone, **fields})
    assert response.status_code == 201, response.text
    return {**response.json(), "phone": phone}


def _clean_error(response):
    """An error answer a client can act on: JSON with an ``error`` code and no
    server internals in it."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "error" in body and "Traceback" not in response.text


# --- what the petitioner and the public see -----------------------------------

def query_code_sms_by_phone(stack):
    """phone -> the query-code SMS it received (the only text carrying 查询码 + a code)."""
    found = {}
    for line in sms_lines(stack):
        _at, phone, text = line.split("\t", 2)
        if "查询码" in text and "请凭查询码" not in text:
            found.setdefault(phone, []).append(text)
    return found


def assert_nothing_lost(stack, accepted, statuses=("routed",), timeout=120):
    """Every accepted petition ends in one of ``statuses`` with a timeline of
    unique entries that holds its submission and its routing, and its petitioner got exactly one query-code SMS (with
    this petition's case number and code)."""
    assert accepted, "no petition was accepted at all"
    numbers = {p["case_number"] for p in accepted}
    assert len(numbers) == len(accepted), "two receipts carry the same case number"
    deadline = time.monotonic() + timeout

    def settled(receipt):
        """The petition as the public sees it once it reached ``statuses``."""
        while True:
            response = api(stack, "GET", f"/petitions/{receipt['query_code']}")
            # 503: a service just (re)started does not answer yet
            assert response.status_code in (200, 503), response.text
            case = response.status_code == 200 and response.json()
            # Both events must have been applied: tracking consumes
            # petition_submitted and petition_routed from two queues, so the
            # routing may be applied first (the case is routed, its
            # "submitted" entry comes a moment later).
            kinds = {entry["kind"] for entry in case["timeline"]} if case else set()
            if case and case["status"] in statuses and {"submitted", "route"} <= kinds:
                return case
            assert time.monotonic() < deadline, \
                f"{receipt['case_number']} never reached {statuses}: {case or response.text}"
            time.sleep(0.5)

    with ThreadPoolExecutor(max_workers=8) as pool:
        cases = list(pool.map(settled, accepted))
    for receipt, case in zip(accepted, cases):
        assert case["case_number"] == receipt["case_number"]
        kinds = [entry["kind"] for entry in case["timeline"]]
        assert len(kinds) == len(set(kinds)), f"{case['case_number']}: duplicated timeline {kinds}"

    phones = {p["phone"]: p for p in accepted}
    eventually(lambda: phones.keys() <= query_code_sms_by_phone(stack).keys(),
               timeout=max(deadline - time.monotonic(), 5))
    sms = query_code_sms_by_phone(stack)
    unsent = [p["case_number"] for phone, p in phones.items() if phone not in sms]
    assert not unsent, f"no query-code SMS for {len(unsent)} petitions: {unsent[:10]}"
    doubled = {phone: texts for phone, texts in sms.items() if phone in phones and len(texts) > 1}
    assert not doubled, f"petitioners got more than one query-code SMS: {doubled}"
    for phone, p in phones.items():
        text = sms[phone][0]
        assert p["case_number"] in text and p["query_code"] in text, text


# --- the bus, directly --------------------------------------------------------

def publish(stack, contract, payload):
    """Publish ``payload`` as ``contract``'s producer would (persistent, to its
    exchange, routing key = event type)."""
    with Connection(stack.env["AMQP_URI"], transport_options={"confirm_publish": True}) as conn:
        exchange = Exchange(contract.exchange, type="topic", durable=True)
        conn.Producer().publish(payload, exchange=exchange, routing_key=contract.event_type,
                                serializer="json", delivery_mode=2, declare=[exchange])


def publish_to_queue(stack, queue, payload):
    """Deliver ``payload`` to one handler's queue only (as if the others lag)."""
    with Connection(stack.env["AMQP_URI"], transport_options={"confirm_publish": True}) as conn:
        conn.Producer().publish(payload, exchange="", routing_key=queue,
                                serializer="json", delivery_mode=2)


@contextmanager
def rpc(stack):
    with ClusterRpcProxy({"AMQP_URI": stack.env["AMQP_URI"]}, timeout=30) as proxy:
        yield proxy


def parked_command(stack, *args):
    """``python -m deploy.parked ...`` against the stack's vhost; its stdout."""
    result = subprocess.run([sys.executable, "-m", "deploy.parked", *args], cwd=ROOT,
                            env=stack.env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def parked_list(stack):
    """queue -> parked message count, as ``deploy.parked list`` prints it."""
    counts = {}
    for line in parked_command(stack, "list").splitlines():
        count, queue = line.split()
        counts[queue] = int(count)
    return counts


def service_log(stack, name):
    path = stack.var_dir / f"{name}.log"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def new_case_number():
    """A case number intake never issued (sequence 9xxxxx), for events made up here."""
    return f"JN{time.strftime('%Y%m%d')}-{900000 + uuid.uuid4().int % 100000:06d}"


def payload(contract, **fields):
    return json.loads(json.dumps(contract.build(**fields)))

