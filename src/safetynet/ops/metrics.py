"""`/metrics`: Prometheus metrics, computed from the database when scraped.

Everything but request latency is read from the database at scrape time by `DatabaseCollector`
(a handful of grouped counts over indexed columns), so every web process answers the same
figures and nothing is lost when a process restarts. Request latency is a histogram kept by
`LatencyMiddleware` in each web process: Prometheus sums it over the processes it scrapes, and
a scrape through one address sees one process (docs/operations.md).

Labels are codes an operator chose or the policy defines (clause, role, state, door, queue, API
key name, worker host:pid), never data about a person. The endpoint answers only to a bearer
token equal to SAFETYNET_METRICS_TOKEN or to a client address in SAFETYNET_METRICS_NETWORKS.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from safetynet.audit.models import AuditChainHead
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import Clock, system_clock
from safetynet.lib.proxy import in_networks
from safetynet.ops.readiness import queue_lag
from safetynet.work.models import Task, WorkerHeartbeat, overdue_q

# Seconds: a page is meant to answer within half a second on a county (docs/web.md benchmarks).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class DatabaseCollector(Collector):
    """The service's state, counted from the database at each scrape."""

    def __init__(self, *, clock: Clock = system_clock) -> None:
        self.clock = clock

    def describe(self) -> Iterable[Metric]:
        return []  # nothing at registration: the database is read at scrape time only

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        up = GaugeMetricFamily("safetynet_database_up", "1 when the database answered this scrape's queries")
        try:
            families = [*self._queue(), *self._workers(), *self._imports(), *self._tasks(), self._audit()]
        except DatabaseError:
            connection.close()  # a broken connection is not reused by the next request
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families
        took = GaugeMetricFamily("safetynet_metrics_collect_seconds", "time this scrape spent reading the database")
        took.add_metric([], time.perf_counter() - started)
        yield took

    def _queue(self) -> list[Metric]:
        jobs = GaugeMetricFamily(
            "safetynet_jobs", "jobs in the task queue by queue and status", labels=["queue", "status"]
        )
        statuses = (TaskResultStatus.READY, TaskResultStatus.RUNNING, TaskResultStatus.FAILED)
        counted = dict.fromkeys([("default", str(s)) for s in statuses], 0)
        for row in (
            DBTaskResult.objects.filter(status__in=statuses).values("queue_name", "status").annotate(n=Count("id"))
        ):
            counted[(row["queue_name"], row["status"])] = row["n"]
        for (queue, status), n in sorted(counted.items()):
            jobs.add_metric([queue, status.lower()], n)
        lag = queue_lag(clock=self.clock)
        oldest_job = GaugeMetricFamily(
            "safetynet_job_queue_oldest_seconds", "age of the oldest job due in the task queue (0: none)"
        )
        oldest_job.add_metric([], lag.oldest_job.total_seconds() if lag.oldest_job else 0)
        unswept = GaugeMetricFamily(
            "safetynet_tasks_unswept_oldest_seconds",
            "how long the oldest overdue task has waited for the deadline sweeper to escalate it (0: none)",
        )
        unswept.add_metric([], lag.oldest_unswept_task.total_seconds() if lag.oldest_unswept_task else 0)
        return [jobs, oldest_job, unswept]

    def _workers(self) -> list[Metric]:
        now = self.clock.now()
        ages = GaugeMetricFamily(
            "safetynet_worker_heartbeat_age_seconds",
            "seconds since each task worker's last heartbeat",
            labels=["worker"],
        )
        rows = list(WorkerHeartbeat.objects.order_by("name").values_list("name", "last_beat_at"))
        for name, beat in rows:
            ages.add_metric([name], max((now - beat).total_seconds(), 0.0))
        workers = GaugeMetricFamily("safetynet_workers", "task workers with a heartbeat row (live or silent today)")
        workers.add_metric([], len(rows))
        return [ages, workers]

    def _imports(self) -> list[Metric]:
        batches = GaugeMetricFamily(
            "safetynet_import_batches", "import batches by door and status", labels=["door", "status"]
        )
        lines = CounterMetricFamily(
            "safetynet_import_lines",
            "lines read by the capture path, by door and API key (the source system; empty for files and forms)",
            labels=["door", "api_key"],
        )
        rejected = CounterMetricFamily(
            "safetynet_import_rejected", "lines rejected, by door and API key", labels=["door", "api_key"]
        )
        by_status = ImportBatch.objects.values("door", "status").annotate(n=Count("id")).order_by("door", "status")
        for row in by_status:
            batches.add_metric([row["door"], row["status"]], row["n"])
        sums = (
            ImportBatch.objects.values("door", "api_key__name")
            .annotate(lines=Sum("lines_read"), rejected=Sum("rejected"))
            .order_by("door", "api_key__name")
        )
        for total in sums:
            labels = [total["door"], total["api_key__name"] or ""]
            lines.add_metric(labels, total["lines"] or 0)
            rejected.add_metric(labels, total["rejected"] or 0)
        return [batches, lines, rejected]

    def _tasks(self) -> list[Metric]:
        now = self.clock.now()
        current = GaugeMetricFamily(
            "safetynet_tasks_open",
            "current tasks (open or acknowledged) by clause, owner role and state",
            labels=["clause", "role", "state"],
        )
        overdue = GaugeMetricFamily(
            "safetynet_tasks_overdue",
            "current tasks past their deadline by clause and owner role",
            labels=["clause", "role"],
        )
        rows = (
            Task.objects.current()
            .values("clause", "owner_role", "state")
            .annotate(n=Count("id"), late=Count("id", filter=overdue_q(now)))
            .order_by("clause", "owner_role", "state")
        )
        late: dict[tuple[str, str], int] = {}
        for row in rows:
            current.add_metric([row["clause"], row["owner_role"], row["state"]], row["n"])
            key = (row["clause"], row["owner_role"])
            late[key] = late.get(key, 0) + row["late"]
        for (clause, role), n in sorted(late.items()):
            overdue.add_metric([clause, role], n)
        return [current, overdue]

    def _audit(self) -> Metric:
        length = GaugeMetricFamily("safetynet_audit_chain_length", "entries in the access log's hash chain")
        head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
        length.add_metric([], head or 0)
        return length


REGISTRY = CollectorRegistry()
REGISTRY.register(DatabaseCollector())
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

REQUEST_LATENCY = Histogram(
    "safetynet_request_duration_seconds",
    "time to answer a request, by URL name (this web process only) and method",
    labelnames=["view", "method"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)


class LatencyMiddleware:
    """Times every request into REQUEST_LATENCY, labelled by URL name: a bounded set (the access
    matrix lists each), never the path, which carries record ids."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unmatched"
        method = request.method if request.method in _METHODS else "other"
        REQUEST_LATENCY.labels(view=view, method=method).observe(time.perf_counter() - started)
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def scrape_allowed(request: HttpRequest) -> bool:
    """Whether `request` carries the metrics token or comes from a monitoring network."""
    token: str = settings.SAFETYNET_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    return in_networks(request.META.get("REMOTE_ADDR", ""), settings.SAFETYNET_METRICS_NETWORKS)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not scrape_allowed(request):
        return JsonResponse(
            {"detail": "Forbidden: send the metrics bearer token or scrape from SAFETYNET_METRICS_NETWORKS"},
            status=403,
        )
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
