"""What the gateway's workers are given besides plain RPC proxies: the bearer
tokens, signed with the gateway's private key (core/actors.py), and tracking
across the city's and the counties' deployments (and which of them a request
could not reach)."""
import functools

import eventlet

from core.actors import ActorSigner
from core.areas import counties, deployment_area, deployment_name
from core.broker import TimedRpcProxy
from core.errors import InvalidInput, NotFound, PlatformError, ServiceUnavailable
from core.validation import load
from services.tracking.schemas import (
    PUBLIC_PAGE_MAX,
    PUBLIC_REQUEST_ORDER,
    QUEUE_ORDERS,
    QUEUE_PAGE_MAX,
    SUPERVISION_QUEUE_ORDER,
    UNIT_RECORD_ORDER,
    CaseSummarySchema,
    OrderFilterSchema,
    OrderSchema,
    PublicRequestQuerySchema,
    PublicRequestSchema,
    QueueFilterSchema,
    sort_rows,
)


def tokens_from_config(config):
    """Config: ``ACTOR_SIGNING_KEY`` (required), ``TOKEN_TTL_SECONDS``."""
    return ActorSigner(config.get("ACTOR_SIGNING_KEY"), config.get("TOKEN_TTL_SECONDS", 28800))


class Trackings(TimedRpcProxy):
    """tracking, and the tracking of each county that runs its own
    (``COUNTIES``, core/areas.py). With no county it is tracking itself. With
    some, a call about one case goes to every deployment at once and the one
    that holds the case answers (the others do not know it); a work queue, a
    supervision queue or record, the caseload, the public list (Open311) is
    the deployments' lists merged, sorted and paged as one tracking's; spot
    checks stay the city's.

    A deployment that cannot be reached (ServiceUnavailable) is left out of a
    merged list, and the answer says so (``unreachable``: http.py puts it in
    the response); a call about one case that no reachable deployment holds
    is a 503 naming the unreachable ones, which may hold it."""

    def __init__(self):
        super().__init__("tracking")

    def setup(self):
        super().setup()
        self.counties = counties(self.container.config)

    def get_dependency(self, worker_ctx):
        deployments = [self.service(worker_ctx, deployment_name("tracking", county))
                       for county in (None, *self.counties)]
        # one per worker: it notes what this request could not reach
        return deployments[0] if len(deployments) == 1 else _Deployments(deployments,
                                                                           self.counties)


# Merging asks every deployment for its first offset + limit rows, a page of
# QUEUE_PAGE_MAX (the public list: PUBLIC_PAGE_MAX) at a time: a deep page
# costs each deployment offset / QUEUE_PAGE_MAX calls. A queue is filtered or searched long before this.
MERGED_OFFSET_MAX = 10_000


class _Deployments:
    """The city's tracking and the counties' (``counties``, in the same order
    after the city's), for one worker."""

    def __init__(self, deployments, counties):
        self.city, self.all = deployments[0], deployments
        self.counties = [None, *counties]
        # the counties (None: the city) a merged list had to leave out
        self.unreachable = []

    def _each(self, method, *args, **kwargs):
        """``method`` (a name, or a function of the deployment) of every
        deployment at once; their answers or PlatformErrors."""
        calls = [eventlet.spawn(getattr(d, method) if isinstance(method, str) else
                                functools.partial(method, d), *args, **kwargs)
                 for d in self.all]
        return [_outcome(call) for call in calls]

    def _holder(self, method, *args):
        """The answer of the deployment that holds the case (its error too).
        When none that answered holds it, the case may be in one that did
        not answer: a 503 naming those, not a 404."""
        outcomes = self._each(method, *args)
        for outcome in outcomes:
            if not isinstance(outcome, (NotFound, ServiceUnavailable)):
                return _result(outcome)
        down = [county for county, outcome in zip(self.counties, outcomes)
                if isinstance(outcome, ServiceUnavailable)]
        if down:
            codes = ", ".join(deployment_area(county)[0] for county in down)
            # the one down may be the city's own deployment, not a county's
            raise ServiceUnavailable(
                f"部署{codes}暂时无法连接，该案件可能由其办理，请稍后再试",
                {"unreachable": [describe(county) for county in down]})
        raise outcomes[0]

    def _answers(self, outcomes):
        """The answers of the deployments that answered; one that could not
        be reached is left out and noted in ``unreachable``. With none
        reachable, the city's error (a 503 as before there were counties)."""
        answers = []
        for county, outcome in zip(self.counties, outcomes):
            if not isinstance(outcome, ServiceUnavailable):
                answers.append(_result(outcome))
            elif county not in self.unreachable:
                self.unreachable.append(county)
        if not answers:
            raise outcomes[0]
        return answers

    def _merged(self, method, *args):
        return [row for answer in self._answers(self._each(method, *args)) for row in answer]

    @staticmethod
    def _summed_parts(answers, parts):
        """The deployments' ``parts`` ({key: count} each) added up."""
        return {part: {key: sum(a[part].get(key, 0) for a in answers)
                       for key in dict.fromkeys(k for a in answers for k in a[part])}
                for part in parts}

    def get_case(self, case_number):
        return self._holder("get_case", case_number)

    def staff_case(self, case_number, actor):
        return self._holder("staff_case", case_number, actor)

    def act(self, case_number, action, actor, body=None):
        return self._holder("act", case_number, action, actor, body)

    def petitioner_act(self, case_number, action, body=None):
        return self._holder("petitioner_act", case_number, action, body)

    def list_cases(self, actor, status=None, limit=100, offset=0, **filters):
        """One page of the work queue across the deployments, sorted as tracking sorts."""
        page = load(QueueFilterSchema(), {**filters, "status": status, "limit": limit,
                                          "offset": offset})
        order = QUEUE_ORDERS[page["sort"] or "urgent"]
        return self._page(page, lambda rows: sort_rows(rows, order, CaseSummarySchema),
                          lambda deployment, count, skip:
                          deployment.list_cases(actor, status, count, skip, **filters))

    def queue_totals(self, actor, **filters):
        """The deployments' totals added up (each counts only its own cases)."""
        totals = self._answers(self._each("queue_totals", actor, **filters))
        return {"matching": sum(t["matching"] for t in totals),
                **self._summed_parts(totals, ("by_status", "by_queue"))}

    def caseload(self, actor):
        """The deployments' counts by status and by track added up."""
        return self._summed_parts(self._answers(self._each("caseload", actor)),
                                  ("by_status", "by_track"))

    def supervision_orders(self, actor, status=None, limit=QUEUE_PAGE_MAX, offset=0):
        """One page of the supervision queue across the deployments, sorted as tracking sorts."""
        page = load(OrderFilterSchema(), {"status": status, "limit": limit, "offset": offset})
        return self._page(page, lambda rows: sort_rows(rows, SUPERVISION_QUEUE_ORDER, OrderSchema),
                          lambda deployment, count, skip:
                          deployment.supervision_orders(actor, status, count, skip))

    def supervision_record(self, actor):
        """Per unit, its rows in every deployment added up (a city department
        may hold orders in a county's store too), sorted as tracking sorts."""
        units = {}
        for row in self._merged("supervision_record", actor):
            unit = units.setdefault(row["unit_code"], {**dict.fromkeys(row, 0),
                                                       "unit_code": row["unit_code"]})
            for part, n in row.items():
                if part != "unit_code":
                    unit[part] += n
        return sorted(units.values(), key=UNIT_RECORD_ORDER)

    def public_requests(self, query):
        """One page of the public list (Open311) across the deployments,
        newest first as tracking sorts it."""
        page = load(PublicRequestQuerySchema(), query)
        return self._page(page, lambda rows: sort_rows(rows, PUBLIC_REQUEST_ORDER,
                                                       PublicRequestSchema),
                          lambda deployment, count, skip: deployment.public_requests(
                              {**query, "limit": count, "offset": skip}), PUBLIC_PAGE_MAX)

    def _page(self, page, order, ask, page_max=QUEUE_PAGE_MAX):
        """A page (``limit`` rows from ``offset``) of the deployments' lists
        merged: each is asked, with ``ask(deployment, count, skip)`` (``count``
        at most ``page_max``), for its first offset + limit rows in the page's
        order (the page is among them), and the merge is sorted by
        ``order(rows)`` and cut to the page."""
        if page["offset"] > MERGED_OFFSET_MAX:
            raise InvalidInput("输入有误", {"offset": [
                f"合并各区县的队列时，翻页不能超过{MERGED_OFFSET_MAX}条，请缩小查询范围"]})
        end = page["offset"] + page["limit"]
        rows = [row for answer in self._answers(self._each(_first_rows, end, ask, page_max))
                for row in answer]
        return order(rows)[page["offset"]:end]

    def __getattr__(self, method):  # spot checks: the city's
        return getattr(self.city, method)


def describe(county):
    """A deployment that could not be reached, as an answer names it (both languages)."""
    code, name_zh, name_en = deployment_area(county)
    return {"deployment": deployment_name("tracking", county), "area_code": code,
            "name": name_zh, "name_en": name_en,
            "message": f"{name_zh}（{code}）的部署暂时无法连接",
            "message_en": f"The deployment of {name_en} ({code}) could not be reached"}


def unreachable(service):
    """What the request's merged lists had to leave out (``describe``d), or []."""
    tracking = getattr(service, "tracking", None)
    return ([describe(county) for county in tracking.unreachable]
            if isinstance(tracking, _Deployments) else [])


def _first_rows(deployment, count, ask, page_max):
    """A deployment's first ``count`` rows of a list, asked a page of at most
    ``page_max`` at a time."""
    rows = []
    while len(rows) < count:
        asked = min(page_max, count - len(rows))
        page = ask(deployment, asked, len(rows))
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
