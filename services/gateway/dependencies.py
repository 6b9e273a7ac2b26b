"""What the gateway's workers are given besides plain RPC proxies: the bearer
tokens, signed with the gateway's private key (core/actors.py), and tracking
across the city's and the counties' deployments."""
import functools

import eventlet
from nameko.extensions import DependencyProvider

from core.actors import ActorSigner
from core.areas import counties, deployment_name
from core.broker import TimedRpcProxy
from core.errors import InvalidInput, NotFound, PlatformError
from core.validation import load
from services.tracking.schemas import QUEUE_PAGE_MAX, QUEUE_ROW_ORDERS, QueueFilterSchema


class TokenProvider(DependencyProvider):
    """Config: ``ACTOR_SIGNING_KEY`` (required), ``TOKEN_TTL_SECONDS``."""

    def setup(self):
        config = self.container.config
        self.tokens = ActorSigner(config.get("ACTOR_SIGNING_KEY"),
                                  config.get("TOKEN_TTL_SECONDS", 28800))

    def get_dependency(self, worker_ctx):
        return self.tokens


class Trackings(TimedRpcProxy):
    """tracking, and the tracking of each county that runs its own
    (``COUNTIES``, core/areas.py). With no county it is tracking itself. With
    some, a call about one case goes to every deployment at once and the one
    that holds the case answers (the others do not know it); a work queue or
    a supervision list is the deployments' lists merged; spot checks stay the
    city's."""

    def __init__(self):
        super().__init__("tracking")

    def setup(self):
        super().setup()
        self.names = [deployment_name("tracking", county)
                      for county in (None, *counties(self.container.config))]

    def get_dependency(self, worker_ctx):
        deployments = [self.service(worker_ctx, name) for name in self.names]
        return deployments[0] if len(deployments) == 1 else _Deployments(deployments)


# Merging asks every deployment for its first offset + limit rows, a page of
# QUEUE_PAGE_MAX at a time: a deep page costs each deployment offset /
# QUEUE_PAGE_MAX calls. A queue is filtered or searched long before this.
MERGED_OFFSET_MAX = 10_000


class _Deployments:
    def __init__(self, deployments):
        self.city, self.all = deployments[0], deployments

    def _each(self, method, *args, **kwargs):
        """``method`` (a name, or a function of the deployment) of every
        deployment at once; their answers or PlatformErrors."""
        calls = [eventlet.spawn(getattr(d, method) if isinstance(method, str) else
                                functools.partial(method, d), *args, **kwargs)
                 for d in self.all]
        return [_outcome(call) for call in calls]

    def _holder(self, method, *args):
        """The answer of the deployment that holds the case."""
        outcomes = self._each(method, *args)
        for outcome in outcomes:
            if not isinstance(outcome, NotFound):
                return _result(outcome)
        raise outcomes[0]

    def _merged(self, method, *args):
        return [row for outcome in self._each(method, *args) for row in _result(outcome)]

    def get_case(self, case_number):
        return self._holder("get_case", case_number)

    def staff_case(self, case_number, actor):
        return self._holder("staff_case", case_number, actor)

    def act(self, case_number, action, actor, body=None):
        return self._holder("act", case_number, action, actor, body)

    def petitioner_act(self, case_number, action, body=None):
        return self._holder("petitioner_act", case_number, action, body)

    def list_cases(self, actor, status=None, limit=100, offset=0, **filters):
        """One page of the work queue across the deployments: each is asked,
        with the same filters, for its first offset + limit rows in the page's
        order (the page is among them), and the merge is sorted as tracking sorts."""
        page = load(QueueFilterSchema(), {**filters, "status": status, "limit": limit,
                                          "offset": offset})
        if page["offset"] > MERGED_OFFSET_MAX:
            raise InvalidInput("输入有误", {"offset": [
                f"合并各区县的队列时，翻页不能超过{MERGED_OFFSET_MAX}条，请缩小查询范围"]})
        end = page["offset"] + page["limit"]
        rows = [row for outcome in self._each(_first_rows, end, actor, status, filters)
                for row in _result(outcome)]
        key, reverse = QUEUE_ROW_ORDERS[page["sort"] or "urgent"]
        return sorted(rows, key=key, reverse=reverse)[page["offset"]:end]

    def queue_totals(self, actor, **filters):
        """The deployments' totals added up (each counts only its own cases)."""
        totals = [_result(outcome) for outcome in self._each("queue_totals", actor, **filters)]
        return {"matching": sum(t["matching"] for t in totals),
                **{part: {key: sum(t[part].get(key, 0) for t in totals)
                          for key in dict.fromkeys(k for t in totals for k in t[part])}
                   for part in ("by_status", "by_queue")}}

    def supervision_orders(self, actor, status=None):
        return self._merged("supervision_orders", actor, status)

    def supervision_record(self, actor):
        return self._merged("supervision_record", actor)

    def __getattr__(self, method):  # spot checks: the city's
        return getattr(self.city, method)


def _first_rows(deployment, count, actor, status, filters):
    """A deployment's first ``count`` rows of the queue, asked a page of at
    most QUEUE_PAGE_MAX at a time."""
    rows = []
    while len(rows) < count:
        asked = min(QUEUE_PAGE_MAX, count - len(rows))
        page = deployment.list_cases(actor, status, asked, len(rows), **filters)
        rows.extend(page)
        if len(page) < asked:
            break
    return rows


def _outcome(call):
    try:
        return call.wait()
    except PlatformError as exc:
        return exc


def _result(outcome):
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
