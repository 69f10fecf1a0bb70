"""/metrics: refused without the token or a monitoring network; figures read from the database."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import FixedClock
from safetynet.work.heartbeat import WorkerIdentity, beat
from safetynet.work.services import sync_tasks

TOKEN = "metrics-token-for-tests-only-0123456789"


@pytest.fixture
def monitoring(settings: Any, clock: FixedClock) -> FixedClock:
    settings.SAFETYNET_CLOCK = clock
    settings.SAFETYNET_METRICS_TOKEN = TOKEN
    settings.SAFETYNET_METRICS_NETWORKS = ["10.20.0.0/16"]
    return clock


def scrape(client: Client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def value(text: str, name: str, **labels: str) -> float:
    """The sample `name{labels}` in the exposition `text` (labels in any order, all given)."""
    for line in text.splitlines():
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    raise AssertionError(f"no sample {name}{labels}")


@pytest.mark.django_db
def test_metrics_are_refused_without_the_token_or_from_another_network(client: Client, monitoring: Any) -> None:
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.21.0.5").status_code == 403
    refused = client.get("/metrics", REMOTE_ADDR="192.168.1.9", headers={"Authorization": f"Bearer {TOKEN}x"})
    assert refused.status_code == 403
    assert "SAFETYNET_METRICS_NETWORKS" in refused.json()["detail"]


@pytest.mark.django_db
def test_metrics_answer_the_token_or_an_address_in_a_monitoring_network(client: Client, monitoring: Any) -> None:
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200


@pytest.mark.django_db
def test_metrics_are_refused_to_everyone_when_neither_token_nor_network_is_configured(
    client: Client, settings: Any
) -> None:
    settings.SAFETYNET_METRICS_TOKEN = ""
    settings.SAFETYNET_METRICS_NETWORKS = []
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_a_new_overdue_task_moves_the_task_gauges(client: Client, monitoring: FixedClock, findings: Any) -> None:
    before = scrape(client)
    with pytest.raises(AssertionError):
        value(before, "safetynet_tasks_open", clause="M2", role="sergeant", state="open")
    findings.make("M2", due_in=dt.timedelta(hours=1))
    sync_tasks(clock=monitoring)
    after = scrape(client)
    assert value(after, "safetynet_tasks_open", clause="M2", role="sergeant", state="open") == 1
    assert value(after, "safetynet_tasks_overdue", clause="M2", role="sergeant") == 0
    monitoring.advance(hours=2)
    later = scrape(client)
    assert value(later, "safetynet_tasks_overdue", clause="M2", role="sergeant") == 1
    assert value(later, "safetynet_tasks_unswept_oldest_seconds") == 3600


@pytest.mark.django_db
def test_heartbeat_imports_and_audit_chain_move_their_metrics(client: Client, monitoring: FixedClock) -> None:
    beat(WorkerIdentity("worker-host", 7), clock=monitoring)
    monitoring.advance(seconds=25)
    ImportBatch.objects.create(
        door=ImportBatch.Door.DROP, started_by="ops", started_at=monitoring.now(), lines_read=120, rejected=3
    )
    before = value(scrape(client), "safetynet_audit_chain_length")
    record_audit(acting_user=None, action=Action.VIEW, object_type="url", object_ids=["metrics-test"])
    text = scrape(client)
    assert value(text, "safetynet_worker_heartbeat_age_seconds", worker="worker-host:7") == 25
    assert value(text, "safetynet_workers") == 1
    assert value(text, "safetynet_import_lines_total", door="drop", api_key="") == 120
    assert value(text, "safetynet_import_rejected_total", door="drop", api_key="") == 3
    assert value(text, "safetynet_import_batches", door="drop", status="running") == 1
    assert value(text, "safetynet_audit_chain_length") == before + 1
    assert value(text, "safetynet_database_up") == 1


@pytest.mark.django_db
def test_request_latency_is_counted_by_url_name_never_by_path(client: Client, monitoring: Any) -> None:
    def served() -> float:
        try:
            return value(scrape(client), "safetynet_request_duration_seconds_count", view="healthz", method="GET")
        except AssertionError:
            return 0

    before = served()
    client.get("/healthz")
    client.get("/healthz?name=Someone")
    assert served() == before + 2
    assert "/people/" not in scrape(client)


@pytest.mark.django_db
def test_every_metric_the_sample_dashboard_plots_is_exported(
    client: Client, monitoring: FixedClock, findings: Any
) -> None:
    import json
    from pathlib import Path

    dashboard = json.loads((Path(__file__).parents[2] / "docs" / "grafana-dashboard.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    plotted = set(re.findall(r"\bsafetynet_[a-z_]+", exprs))
    client.get("/healthz")
    findings.make("M2")
    sync_tasks(clock=monitoring)
    beat(WorkerIdentity("worker-host", 8), clock=monitoring)
    ImportBatch.objects.create(door=ImportBatch.Door.CLI, started_by="ops", started_at=monitoring.now())
    exported = {line.split("{")[0].split(" ")[0] for line in scrape(client).splitlines() if not line.startswith("#")}
    assert plotted and plotted <= exported, sorted(plotted - exported)
