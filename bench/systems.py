"""The two systems under load, behind one interface: ``send(i)`` is one HTTP
request, ``completed()`` how many items have passed the last hop, and
``arrivals(samples)`` when each one did (wall clock, seconds)."""
import uuid
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
        self.url, self.session = stack.url, http_session()
        self.rpc = ClusterRpcProxy({"AMQP_URI": stack.env["AMQP_URI"]}, timeout=60)
        self.proxy = self.rpc.start()

    def new_run(self):
        """Called before each measured run."""

    def close(self):
        self.rpc.stop()
        self.session.close()


class Pipeline(System):
    """gateway -> intake -> routing -> tracking; an item is a petition, done
    when tracking has it routed; it arrived when routing decided (the ``at``
    of the case's 'routed' timeline entry, which is petition_routed's occurred_at)."""
    name = "pipeline"

    def send(self, index):
        return self.session.post(f"{self.url}/api/v1/petitions", timeout=120,
                                 json={**PETITION, "title": f"电梯停运（压测 {index}）"})

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

    def new_run(self):
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
