"""The demo turns the county's findings into tasks after linking, and sweeps them once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from safetynet.cli.commands.demo import DemoContext, _link, _steps, _work
from safetynet.work.models import Task


def test_the_demo_makes_work_after_linking() -> None:
    steps = [fn for _label, fn in _steps()]
    assert steps.index(_work) > steps.index(_link)


def test_the_work_step_creates_a_task_per_finding_and_escalates_only_the_overdue(
    findings: Any, tmp_path: Path, clock: Any
) -> None:
    findings.make("M2", due_in=-dt.timedelta(days=30))
    findings.make("M4", owner_role="missing_persons_coordinator", due_in=dt.timedelta(hours=5))
    findings.make("Q1", severity="low", owner_role="analyst", due_in=dt.timedelta(days=7))
    ctx = DemoContext(data_dir=tmp_path, children=1, seed=1, fresh=False, clock=clock)
    _work(ctx)
    assert Task.objects.count() == 3
    assert Task.objects.get(clause="M2").owner_role == "inspector"
    assert Task.objects.get(clause="M4").owner_role == "missing_persons_coordinator"
    # Swept as of three hours ago: the review escalated then, with two hours to act, so the
    # inspector is an hour late now; the coordinator's task still runs.
    note = ctx.notes[-1]
    assert "Work: 3 open tasks (3 new): 1 overdue, 1 due in the next 24 hours; 1 escalated by the sweep" in note


def test_the_demo_sergeant_is_given_the_most_urgent_running_sergeant_tasks(
    findings: Any, tmp_path: Path, clock: Any
) -> None:
    from safetynet.accounts.demo import create_demo_logins
    from safetynet.cli.commands.demo import _give_the_sergeant_work

    soon = findings.make("M2", due_in=dt.timedelta(minutes=40))
    findings.make("M3", severity="medium", due_in=dt.timedelta(hours=30))
    findings.make("M5", severity="medium", due_in=-dt.timedelta(hours=1))  # already late: left in the queue
    findings.make("H1", owner_role="mash_officer", due_in=dt.timedelta(minutes=10))
    ctx = DemoContext(data_dir=tmp_path, children=1, seed=1, fresh=False, clock=clock)
    from safetynet.work.services import sync_tasks

    sync_tasks(clock=clock)
    create_demo_logins()
    assert _give_the_sergeant_work(ctx, count=1) == 1
    held = Task.objects.get(assignee__username="sergeant")
    assert held.finding_id == soon.pk and held.team == "county-response"
    assert _give_the_sergeant_work(ctx) == 0  # a re-run leaves people's work alone


def test_the_demo_prints_where_the_auditor_starts_and_a_child_to_look_up(
    findings: Any, tmp_path: Path, clock: Any
) -> None:
    from django.test import Client

    from safetynet.accounts.demo import create_demo_logins
    from safetynet.cli.commands.demo import _demo_users
    from safetynet.web.viewer import LANDING_BY_ROLE

    findings.make("M2", due_in=dt.timedelta(minutes=40))
    from safetynet.work.services import sync_tasks

    sync_tasks(clock=clock)
    ctx = DemoContext(data_dir=tmp_path, children=1, seed=1, fresh=False, clock=clock)
    _demo_users(ctx)
    held = Task.objects.get(assignee__username="sergeant")
    auditor_line = next(line for line in ctx.notes if line.lstrip().startswith("auditor "))
    assert "-> /audit/" in auditor_line
    note = ctx.notes[-1]
    assert "lands on the access log at /audit/" in note and f"/audit/people/?person={held.individual_id}" in note
    auditor = next(login for login in create_demo_logins(LANDING_BY_ROLE) if login.role == "auditor")
    client = Client()
    client.post("/login/", {"username": auditor.username, "password": auditor.password})
    client.post("/account/second-factor/", {"token": auditor.backup_codes[0], "next": "/"})
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/audit/"


def test_the_demo_raises_escalations_and_leaves_unread_notifications(findings: Any, tmp_path: Path, clock: Any) -> None:
    from safetynet.cli.commands.demo import _demo_users, _escalations
    from safetynet.work.models import Notification, PartnershipEscalation
    from safetynet.work.services import sync_tasks

    findings.make("M2", due_in=dt.timedelta(minutes=40))
    findings.make("M3", severity="medium", due_in=dt.timedelta(hours=30))
    sync_tasks(clock=clock)
    ctx = DemoContext(data_dir=tmp_path, children=1, seed=1, fresh=False, clock=clock)
    _demo_users(ctx)
    _escalations(ctx)
    raised = PartnershipEscalation.objects.order_by("pk")
    assert [(e.owner_agency.code, e.level, e.raised_by.username) for e in raised] == [
        ("csc", 2, "sergeant"),
        ("health", 1, "sergeant"),
    ]
    unread = Notification.objects.filter(read_at__isnull=True)
    for username in ("sergeant", "socialworker", "health"):
        assert unread.filter(user__username=username).exists(), username
    assert "Escalations: the sergeant raised 2 partnership escalations (1 unanswered in time" in ctx.notes[-1]
    _escalations(ctx)  # a re-run raises nothing more
    assert PartnershipEscalation.objects.count() == 2
