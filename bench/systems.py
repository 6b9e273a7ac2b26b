"""The two systems under load, behind one interface: ``new_run(n)`` readies
``n`` items, ``send(i)`` is one HTTP request, ``completed()`` how many items
have passed the last hop, and ``arrivals(samples)`` when each one did (wall
clock, seconds)."""
import itertools
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from nameko.standalone.rpc import ClusterRpcProxy

from bench.load import http_session

# tests/e2e/test_lifecycle.py VALID: routed to 历下区住建局, standard track
PETITION = {
    "name": "张三", "id_number": "11010519491231002X", "phone": "13812345678",
    "title": "小区电梯长期停运", "content": "历下区某小区3号楼电梯停运两个月，物业不予维修。",
    "category": "housing", "area_code": "370102",
}


class System:
    def __init__(self, stack):
        self.stack = stack
        self.url, self.session = stack.url, http_session()
        self.rpc = ClusterRpcProxy({"AMQP_URI": stack.env["AMQP_URI"]}, timeout=60)
        self.proxy = self.rpc.start()

    def new_run(self, count):
        """Called before each measured run of ``count`` items."""

    def close(self):
        self.rpc.stop()
        self.session.close()


class Pipeline(System):
    """gateway -> intake -> routing -> tracking; an item is a petition, done
    when tracking has it routed; it arrived when routing decided (the ``at``
    of the case's 'routed' timeline entry, which is petition_routed's occurred_at)."""
    name = "pipeline"
    _phones = itertools.count(13800000000)

    def new_run(self, count):
        """Every petition of the run proves its own phone first, as a citizen
        does: the codes are asked for (POST /phone-codes) and read off the
        record SMS provider's log before the run, so the measured requests are
        the submissions alone (asking for a code is not part of the figures)."""
        phones = [str(next(self._phones)) for _ in range(count)]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda phone: self.session.post(
                f"{self.url}/api/v1/phone-codes", timeout=120,
                json={"phone": phone, "id_number": PETITION["id_number"]}), phones))
        deadline = time.monotonic() + 300 + count / 10
        while len(codes := self._codes_received(set(phones))) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(codes)} of {count} SMS codes arrived")
            time.sleep(0.5)
        self.proven = [(phone, codes[phone]) for phone in phones]

    def _codes_received(self, phones):
        found, log = {}, self.stack.var_dir / "sms.log"
        for line in (log.read_text().splitlines() if log.exists() else []):
            _at, phone, text = line.split("\t", 2)
            if phone in phones and (code := re.search(r"验证码为(\d{6})", text)):
                found[phone] = code[1]
        return found

    def send(self, index):
        phone, code = self.proven[index]
        return self.session.post(f"{self.url}/api/v1/petitions", timeout=120, json={
            **PETITION, "phone": phone, "sms_code": code, "title": f"电梯停运（压测 {index}）"})

    def completed(self):
        return self.proxy.tracking.status_counts().get("routed", 0)

    def arrivals(self, samples):
        arrived = {}
        for start in range(0, len(samples), 50):
            batch = samples[start:start + 50]
            calls = [self.proxy.tracking.get_case.call_async(s.body["case_number"]) for s in batch]
            for sample, call in zip(batch, calls):
                routed = [e["at"] for e in call.result()["timeline"] if e["kind"] == "route"]
                if routed:
                    arrived[sample.index] = datetime.fromisoformat(routed[0]).timestamp()
        return arrived


class Chain(System):
    """The bare-nameko chain (bench/chain.py); an item is done when the sink has it."""
    name = "bare nameko"

    def new_run(self, count):
        self.prefix = uuid.uuid4().hex  # the sink's items of this run only

    def send(self, index):
        return self.session.post(f"{self.url}/chain", json={"id": f"{self.prefix}-{index}"},
                                 timeout=120)

    def completed(self):
        return len(self.proxy.chain_sink.arrivals(self.prefix))

    def arrivals(self, samples):
        arrived = self.proxy.chain_sink.arrivals(self.prefix)
        return {s.index: arrived[key] for s in samples
                if (key := f"{self.prefix}-{s.index}") in arrived}
