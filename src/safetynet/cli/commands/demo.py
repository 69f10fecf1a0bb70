"""`safetynet demo`: build a synthetic county and serve it, printing demo logins.

The demo is a pipeline of steps; each layer of the product adds its step here, so
`make demo` always shows everything that has been built. It refuses to run under
production settings: demo users have printed passwords.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from safetynet.cli.commands import demo_workspaces as workspaces
from safetynet.cli.commands.demo_context import DemoContext
from safetynet.cli.errors import UsageError
from safetynet.lib.clock import FixedClock, system_clock

FEED_KEY_NAME = "demo-feed"
FEED_SOURCES = ("mispers", "csc", "rms")
FEED_INTERVAL = 5.0  # seconds: a record or two every few seconds keeps two cores free for the app


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="build a synthetic county, link it, assess it and serve it",
        description="Create the embedded database, load a synthetic county (no real data), link records, "
        "evaluate risk, create one demo login per role, print them and serve the web app. "
        "Re-running reuses the loaded county unless --fresh is given.",
    )
    p.add_argument("--children", type=int, default=2000, help="children in the synthetic county (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed for the synthetic county (default 7)")
    p.add_argument("--fresh", action="store_true", help="delete the demo database and build it again")
    p.add_argument("--no-serve", action="store_true", help="build everything, print logins, do not serve")
    p.add_argument(
        "--no-feed",
        action="store_true",
        help="serve the county as built: no live feed of new records (missing reports, referrals, ...)",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=run, needs_django=False)


def _steps() -> list[tuple[str, Callable[[DemoContext], None]]]:
    return [
        ("generate the synthetic county", _generate),
        ("migrate the database", _migrate),
        ("import the county", _import),
        ("link person records into individuals", _link),
        ("assess every individual against the risk policy", _evaluate),
        ("turn findings into work", _work),
        ("create demo logins", _demo_users),
        ("raise partnership escalations", _escalations),
        ("schedule meetings with agendas", _meetings),
        ("report children missing now", workspaces.missing),
        ("raise referrals to the MASH", workspaces.mash),
        ("tell a school of a domestic abuse incident (Operation Encompass)", workspaces.encompass),
        ("tell a GP practice of a domestic abuse incident", workspaces.gp_notifications),
        ("record a child in police protection and one in custody", workspaces.protection),
        ("draw a case file audit dip sample and grade some of it", workspaces.case_audit),
        ("count the oversight dashboards", workspaces.dashboards),
        ("start a disruption plan and record an image offence", workspaces.exploitation),
        ("record ARMS visits and warn at a registered sex offender's address", workspaces.offenders),
    ]


def run(args: argparse.Namespace) -> int:
    if args.children <= 0:
        raise UsageError(f"--children must be a positive number (got {args.children}).")
    settings_module = os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings.dev")
    if settings_module.endswith("production"):
        raise UsageError("the demo refuses to run under production settings (it prints passwords).")
    from safetynet.settings.env import data_dir

    ctx = DemoContext(data_dir=data_dir(), children=args.children, seed=args.seed, fresh=args.fresh)
    if args.fresh and not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            (ctx.data_dir / f"safetynet.sqlite3{suffix}").unlink(missing_ok=True)

    from safetynet.cli.django_setup import ensure_database, setup_django

    setup_django()
    ensure_database()
    for label, step in _steps():
        started = time.perf_counter()
        print(f"demo: {label} ...", flush=True)
        step(ctx)
        print(f"demo: {label} done in {time.perf_counter() - started:.1f}s", flush=True)
    for note in ctx.notes:
        print(note)
    if args.no_serve:
        return 0
    feed = None if args.no_feed else _start_feed(f"http://{args.host}:{args.port}")
    print(f"demo: serving on http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    print(
        f"demo: operations: http://{args.host}:{args.port}/readyz (readiness: database, migrations, worker "
        f"heartbeat, queue lag) and /metrics (Prometheus, answered to this machine; docs/operations.md)",
        flush=True,
    )
    from safetynet.cli.commands.serve import serve_with_worker

    try:
        serve_with_worker(args.host, args.port, workers=2, with_worker=True)
    finally:
        if feed is not None:
            feed.terminate()
            feed.wait(timeout=10)
    return 0


def _start_feed(url: str) -> subprocess.Popen[bytes]:
    """The live feed beside the server (`safetynet feed`), sending through the REST ingest with its
    own API key: a new `demo-feed` key every run (the last one is revoked; keys are shown only once),
    passed in the environment, never on the command line. It retries until the server is up."""
    from safetynet.access.models import ApiKey
    from safetynet.accounts.apikeys import create_api_key, revoke_api_key

    old = ApiKey.objects.filter(name=FEED_KEY_NAME).first()
    if old is not None:
        revoke_api_key(acting_user=None, username="demo", name=FEED_KEY_NAME, clock=system_clock)
        ApiKey.objects.filter(pk=old.pk).update(name=f"{FEED_KEY_NAME} (revoked, #{old.pk})"[:100])
    _key, raw = create_api_key(
        acting_user=None,
        username="demo",
        name=FEED_KEY_NAME,
        sources=FEED_SOURCES,
        kinds=("person", "event"),
        clock=system_clock,
    )
    print(
        f"demo: live feed: a record or two every {FEED_INTERVAL:g} s through /api/v1/records (API key "
        f"{FEED_KEY_NAME!r}): children go missing and are found, referrals arrive and are triaged; "
        "--no-feed to stop it",
        flush=True,
    )
    command = [sys.executable, "-m", "safetynet", "feed", "--url", url, "--interval", f"{FEED_INTERVAL:g}"]
    return subprocess.Popen(command, env={**os.environ, "SAFETYNET_FEED_KEY": raw})


def _generate(ctx: DemoContext) -> None:
    """Writes demo/county.jsonl and county.truth.json under the data directory (kept unless
    --fresh), the county's records ending at the clock's current minute (`county.end` says when)."""
    from safetynet.synth.config import make_config
    from safetynet.synth.generator import generate

    directory = ctx.data_dir / "demo"
    out, truth, ends = directory / "county.jsonl", directory / "county.truth.json", directory / "county.end"
    if out.exists() and truth.exists() and not ctx.fresh:
        ended = ends.read_text().strip() if ends.exists() else "2026-03-01T00:00:00+00:00"
        ctx.notes.append(
            f"Synthetic county: reused {out} (its records end {ended}; "
            "`safetynet demo --fresh` builds one ending now, so deadlines are current)"
        )
        return
    directory.mkdir(parents=True, exist_ok=True)
    end = ctx.clock.now().astimezone(dt.UTC).replace(second=0, microsecond=0)
    summary = generate(make_config(children=ctx.children, years=3, seed=ctx.seed, end=end), out, truth)
    ends.write_text(end.isoformat() + "\n")
    ctx.notes.append(
        f"Synthetic county: {summary.records:,} records about {summary.children:,} children in {out}, "
        f"ending {end:%Y-%m-%d %H:%M} UTC"
    )


def _migrate(ctx: DemoContext) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _import(ctx: DemoContext) -> None:
    """Imports demo/county.jsonl (skipped when a completed batch already holds this exact
    file, unless --fresh). Identity is not told per chunk: the next step links everything."""
    import hashlib

    from safetynet.interchange.importer import import_files

    county = ctx.data_dir / "demo" / "county.jsonl"
    digest = hashlib.sha256(county.read_bytes()).hexdigest()
    if not ctx.fresh and _already_imported(digest):
        ctx.notes.append(f"Import: reused the county already imported ({county.name}, sha256 {digest[:12]})")
        return
    result = import_files([county], batch_name="demo county", acting_user="demo", notify=False)
    ctx.notes.append(
        f"Import: {result.total('accepted'):,} records accepted, {result.total('updated'):,} updated, "
        f"{result.rejected:,} rejected in {result.seconds:.1f}s (admin: Interchange > Import batches)"
    )


def _already_imported(digest: str) -> bool:
    # JSON containment is not available on every SQLite build; compare in Python.
    from safetynet.interchange.models import ImportBatch

    for files in ImportBatch.objects.filter(status__startswith="completed").values_list("files", flat=True):
        if any(isinstance(f, dict) and f.get("sha256") == digest for f in files or []):
            return True
    return False


def _link(ctx: DemoContext) -> None:
    """Batch linkage of every person record (the import links incrementally already; this
    re-scores everything with Splink), then the pairwise quality against the county's truth."""
    from safetynet.identity.batch import link_all
    from safetynet.identity.evaluation import evaluate_truth

    report = link_all()
    ctx.notes.append(
        f"Linkage: {report.persons:,} person records in {report.individuals:,} individuals, "
        f"{report.queued:,} pairs queued for review (admin: Identity > Review pairs)"
    )
    truth_file = ctx.data_dir / "demo" / "county.truth.json"
    if report.persons and truth_file.exists():
        from safetynet.cli.commands.link import read_truth

        figures = evaluate_truth(read_truth(truth_file))
        ctx.notes.append(
            f"Linkage quality against the county's truth: precision {figures.precision:.3f}, "
            f"recall {figures.recall:.3f}, F1 {figures.f1:.3f}"
        )


def _evaluate(ctx: DemoContext) -> None:
    """Full evaluation of the county against the shipped policy (findings stored, as of now)."""
    from safetynet.identity.models import ReviewPair
    from safetynet.risk.models import Finding
    from safetynet.risk.policy import current_policy
    from safetynet.risk.services import evaluate_all

    report = evaluate_all(clock=ctx.went_live())
    current = Finding.objects.filter(state__in=["open", "acknowledged"])
    clauses = current.values("clause").distinct().count()
    ctx.notes.append(
        f"Risk: {report.individuals:,} individuals assessed against policy {current_policy().version}: "
        f"{current.count():,} current findings under {clauses} clauses; see `safetynet evaluate --json`"
    )
    waiting = ReviewPair.objects.filter(status=ReviewPair.Status.OPEN).count()
    ctx.notes.append(
        f"Probable matches: {waiting:,} pairs await review; {current.filter(clause='ID1').count():,} would change "
        "the risk together (ID1 'identity not confirmed' tasks for the MASH officer; they head the Review queue "
        "and both children's pages say 'Possibly the same child as ...')"
    )


def _work(ctx: DemoContext) -> None:
    """Tasks for every current finding (owner role, deadline) and one escalation sweep, as of
    the time the demo went live: deadlines passed in the county's history climb the chain;
    those passed since show as overdue; the rest keep running."""
    from safetynet.work.models import Task
    from safetynet.work.services import sweep, sync_tasks

    live = ctx.went_live()
    synced = sync_tasks(clock=live)
    swept = sweep(clock=live)
    now = ctx.clock.now()
    current = Task.objects.filter(state__in=Task.CURRENT)
    overdue = Task.objects.overdue(now).count()
    due_today = current.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(hours=24)).count()
    ctx.notes.append(
        f"Work: {current.count():,} open tasks ({synced.created:,} new): {overdue:,} overdue, {due_today:,} due "
        f"in the next 24 hours; {swept.escalated:,} escalated by the sweep; list them with `safetynet alerts`"
    )


def _demo_users(ctx: DemoContext) -> None:
    """Agencies, teams and one login per role (safetynet.accounts.demo); elevated roles get a
    TOTP key and single-use backup codes for their second factor."""
    from safetynet.accounts.demo import create_demo_logins
    from safetynet.web.viewer import LANDING_BY_ROLE

    ctx.notes.append("Demo logins (synthetic data only; these passwords are printed, never use them elsewhere):")
    logins = create_demo_logins(LANDING_BY_ROLE)
    ctx.notes.extend(login.line() for login in logins)
    given = _give_the_sergeant_work(ctx)
    if given:
        ctx.notes.append(f"The demo sergeant has {given} task(s) assigned: sign in as sergeant and open My work.")
    ctx.notes.append(
        "Exports: as sergeant (or MASH, an inspector, a coordinator) a person page has 'Download as PDF' and My "
        "work 'Download this list as CSV', marked OFFICIAL-SENSITIVE; each download shows in the access log as "
        "an export of every child in it. A partner or call handler is not offered them (403 if tried)."
    )
    ctx.notes.append(_auditor_note())


def _auditor_note() -> str:
    """Where the demo auditor starts, and a child whose access history will show something once
    someone has opened their page (the log holds only what really happened)."""
    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.work.models import Task

    held = Task.objects.filter(assignee__username=DEMO_USERNAMES[Role.SERGEANT]).order_by("due_at", "pk").first()
    child = f"/people/{held.individual_id}/" if held is not None else "a child's page"
    report = f"/audit/people/?person={held.individual_id}" if held is not None else "/audit/people/"
    return (
        f"The auditor ({DEMO_USERNAMES[Role.AUDITOR]}, second factor: one of its backup codes) lands on the "
        "access log at /audit/: filter it by who, action, child and day; open "
        f"{child} as sergeant, then {report} answers who has looked at that child; /audit/chain/ checks the "
        "hash chain (`safetynet audit head` prints its head to store off-box)."
    )


def _give_the_sergeant_work(ctx: DemoContext, count: int = 3) -> int:
    """Assigns the demo sergeant the most urgent sergeant tasks still running (so "Assigned to
    me" is not empty), unless someone already holds tasks; returns how many were given."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.work.models import Task
    from safetynet.work.services import assign

    sergeant = get_user_model().objects.filter(username=DEMO_USERNAMES[Role.SERGEANT]).first()
    if sergeant is None or Task.objects.filter(state__in=Task.CURRENT, assignee__isnull=False).exists():
        return 0
    team = sergeant.profile.team.code if sergeant.profile.team else ""
    running = Task.objects.filter(
        state__in=Task.CURRENT, owner_role=Role.SERGEANT, assignee__isnull=True, due_at__gte=ctx.clock.now()
    ).order_by("due_at", "pk")[:count]
    for task in running:
        assign(task.pk, acting_user=None, clock=ctx.clock, assignee=sergeant, team=team)
    return len(running)


DEMO_ESCALATIONS = (
    # (owner agency, days before the county ends, reason): invented, about the work, no names.
    (
        "csc",
        5,
        "A strategy discussion is needed: children's social care has not attended the last two, "
        "and the child was found at an address of concern again.",
    ),
    (
        "health",
        0,
        "Please share the outcome of the health assessment requested after the last return "
        "home interview, so the safety plan can be reviewed.",
    ),
)


def _escalations(ctx: DemoContext) -> None:
    """The demo logins get email addresses (.invalid: the console backend prints the emails) and
    the demo sergeant raises two partnership escalations from their tasks: one to social care
    five days ago (past its two working days, whatever the weekday), which the sweep raises to
    the manager level, and one to health today. The social worker and the health practitioner
    see them in Escalations and have unread notifications; the sergeant has notifications of the
    tasks given to them."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.work.escalations import raise_escalation, sweep_escalations
    from safetynet.work.models import PartnershipEscalation, Task

    User = get_user_model()
    for username in DEMO_USERNAMES.values():
        User.objects.filter(username=username, email="").update(email=f"{username}@safetynet-demo.invalid")
    sergeant = User.objects.filter(username=DEMO_USERNAMES[Role.SERGEANT]).first()
    tasks = list(Task.objects.filter(state__in=Task.CURRENT, assignee=sergeant).order_by("due_at", "pk")[:2])
    if sergeant is None or not tasks or PartnershipEscalation.objects.exists():
        return
    now = ctx.clock.now()
    for (agency, days_ago, reason), task in zip(DEMO_ESCALATIONS, tasks * 2, strict=False):
        raise_escalation(
            acting_user=sergeant,
            owner_agency=agency,
            reason=reason,
            task_id=task.pk,
            clock=FixedClock(now - dt.timedelta(days=days_ago)),
        )
    moved = sweep_escalations(clock=ctx.clock)
    ctx.notes.append(
        f"Escalations: the sergeant raised {len(DEMO_ESCALATIONS)} partnership escalations ({len(moved)} unanswered "
        "in time and moved up a level); sign in as socialworker or health and open Escalations to answer, "
        "or Notifications (the count in the header). Emails go to the console."
    )


def _meeting_chair() -> Any:
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES

    return get_user_model().objects.filter(username=DEMO_USERNAMES[Role.PUBLIC_PROTECTION_OFFICER]).first()


def _marac_case() -> tuple[int, int | None] | None:
    """The victim and perpetrator of a MARAC whose children a D2 finding says were not listed."""
    from safetynet.meetings.services import individual_of_ref
    from safetynet.records.models import Event
    from safetynet.risk.models import Finding

    key = Finding.objects.filter(clause="D2", state="open").values_list("key", flat=True).first()
    old = Event.live.filter(source=key["source"], source_id=key["id"]).first() if key else None
    if old is None:
        return None
    people = list(old.participations.select_related("person").order_by("pk"))
    # A source may name the victim and perpetrator by role, or only list the case's adults as
    # subjects (the victim first): either way the MARAC is about them.
    by_role = {p.role: p.person.ref for p in people}
    subjects = [p.person.ref for p in people if p.role == "subject"]
    victim_ref = by_role.get("victim") or (subjects[0] if subjects else None)
    perpetrator_ref = (
        by_role.get("perpetrator") or by_role.get("suspect") or (subjects[1] if len(subjects) > 1 else None)
    )
    victim = individual_of_ref(victim_ref)
    return (victim, individual_of_ref(perpetrator_ref)) if victim else None


def _meetings(ctx: DemoContext) -> None:
    """The demo public protection officer schedules this week's meetings with agendas built from
    the county: a MACE tomorrow, missing tasking the day after, a MARAC for a case whose children
    were never listed (D2) next week; and records a strategy discussion held this morning whose
    action is the demo social worker's task (X7), due in two days."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.meetings import agendas
    from safetynet.meetings import services as meetings
    from safetynet.records.models import Event
    from safetynet.risk.models import Finding

    chair = _meeting_chair()
    if chair is None or Event.live.filter(source="safetynet", event_type="meeting").exists():
        return
    now = ctx.clock.now().replace(second=0, microsecond=0)
    at = (now + dt.timedelta(days=1)).replace(hour=10, minute=0)
    plan: list[tuple[str, dt.datetime, dict[str, Any]]] = [
        ("mace", at, {}),
        ("missing_tasking", at + dt.timedelta(days=1), {}),
    ]
    case = _marac_case()
    if case is not None:
        plan.append(("marac", at + dt.timedelta(days=7), {"victim": case[0], "perpetrator": case[1]}))
    scheduled: list[str] = []
    for kind, when, who in plan:
        agenda = agendas.for_meeting(kind, now, **who)
        if agenda:
            meetings.schedule(acting_user=chair, meeting_type=kind, at=when, agenda=agenda, clock=ctx.clock, **who)
            scheduled.append(meetings.MEETING_TYPES[kind])
    child = Finding.objects.filter(clause="X1", state="open").values_list("individual_id", flat=True).first()
    social_worker = get_user_model().objects.filter(username=DEMO_USERNAMES[Role.PARTNER_SOCIAL_WORKER]).first()
    if child is not None and social_worker is not None:
        held = meetings.schedule(
            acting_user=chair,
            meeting_type="strategy_discussion",
            at=now,
            agenda=agendas.strategy_discussion(child, now),
            clock=ctx.clock,
        )
        meetings.record_held(held.pk, _demo_held(now), acting_user=chair, clock=ctx.clock)
        meetings.add_action(
            held.pk,
            text="Complete a child and family assessment and share it with the exploitation team.",
            owner=meetings.action_owner(user_id=social_worker.pk),
            about=child,
            due=(now + dt.timedelta(days=2)).date(),
            acting_user=chair,
            clock=ctx.clock,
        )
    ctx.notes.append(
        f"Meetings: {len(scheduled)} upcoming meetings with agendas built from the county ({', '.join(scheduled)}) "
        "and a strategy discussion held this morning; sign in as ppu (or sergeant) and open Meetings; the social "
        "worker has the strategy discussion's action in My work."
    )


def _demo_held(now: dt.datetime) -> Any:
    from safetynet.meetings.services import Held

    return Held(
        held_at=now,
        attendees=[
            {"name": "Demo Public Protection", "organisation": "police"},
            {"name": "Demo Social Worker", "organisation": "csc"},
            {"name": "Demo School Nurse", "organisation": "health"},
            {"name": "Demo Probation Officer", "organisation": "probation"},
        ],
        apologies=[{"name": "Demo Head Teacher", "organisation": "education"}],
        information_shared=[
            {
                "by": {"organisation": "police"},
                "text": "Two missing episodes this month, found with adults.",
                "police_only": True,
            },
            {"by": {"organisation": "csc"}, "text": "Open to children's social care as a child in need."},
        ],
        decisions=["Section 47 enquiry to start today.", "Exploitation screening to be completed."],
        outcome="Threshold for section 47 met; joint visit arranged; review at the next MACE.",
    )
