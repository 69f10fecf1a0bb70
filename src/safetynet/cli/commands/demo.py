"""`safetynet demo`: build a synthetic county and serve it, printing demo logins.

The demo is a pipeline of steps; each layer of the product adds its step here, so
`make demo` always shows everything that has been built. It refuses to run under
production settings: demo users have printed passwords.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safetynet.cli.errors import UsageError


@dataclass
class DemoContext:
    data_dir: Path
    children: int
    seed: int
    fresh: bool
    notes: list[str] = field(default_factory=list)


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
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=run, needs_django=False)


def _steps() -> list[tuple[str, Callable[[DemoContext], None]]]:
    return [
        ("generate the synthetic county", _generate),
        ("migrate the database", _migrate),
        ("link person records into individuals", _link),
        ("turn findings into work", _work),
        ("create demo logins", _demo_users),
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
    print(f"demo: serving on http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    from safetynet.cli.commands.serve import serve_with_worker

    serve_with_worker(args.host, args.port, workers=2, with_worker=True)
    return 0


def _generate(ctx: DemoContext) -> None:
    """Writes demo/county.jsonl and county.truth.json under the data directory (kept unless --fresh)."""
    from safetynet.synth.config import make_config
    from safetynet.synth.generator import generate

    directory = ctx.data_dir / "demo"
    out, truth = directory / "county.jsonl", directory / "county.truth.json"
    if out.exists() and truth.exists() and not ctx.fresh:
        ctx.notes.append(f"Synthetic county: reused {out}")
        return
    directory.mkdir(parents=True, exist_ok=True)
    summary = generate(make_config(children=ctx.children, years=3, seed=ctx.seed), out, truth)
    ctx.notes.append(f"Synthetic county: {summary.records:,} records about {summary.children:,} children in {out}")


def _migrate(ctx: DemoContext) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _link(ctx: DemoContext) -> None:
    """Batch linkage of every person record (the import links incrementally already; this
    re-scores everything with Splink), then the pairwise quality against the county's truth."""
    from safetynet.identity.evaluation import evaluate_truth
    from safetynet.identity.linking import link_all

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


def _work(ctx: DemoContext) -> None:
    """Tasks for every current finding (owner role, deadline), then one escalation sweep:
    the county's history is old, so most deadlines have passed and climb the chain."""
    from safetynet.work.models import Task
    from safetynet.work.services import sweep, sync_tasks

    synced = sync_tasks()
    swept = sweep()
    current = Task.objects.filter(state__in=Task.CURRENT).count()
    ctx.notes.append(
        f"Work: {current:,} open tasks ({synced.created:,} new), {swept.escalated:,} escalated by the sweep; "
        "list them with `safetynet alerts`"
    )


DEMO_ADMIN = ("admin", "demo-admin-password")


def _demo_users(ctx: DemoContext) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    username, password = DEMO_ADMIN
    user, _created = User.objects.get_or_create(username=username)
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    ctx.notes.append("Demo logins (synthetic data only; these passwords are printed, never use them elsewhere):")
    ctx.notes.append(f"  system administrator   {username} / {password}   -> /admin/")
