"""`safetynet alerts`: open work from risk findings, with reasons, owners and deadlines.

safetynet alerts                     list current tasks, most urgent first
safetynet alerts --json              one task per line as JSON
safetynet alerts --as-of T           as of a time: tasks created by T, overdue judged at T
safetynet alerts --sync              create tasks for new findings, close tasks whose finding cleared
safetynet alerts --sweep             --sync, then escalate every overdue task one step up the chain
                                     (and every unanswered partnership escalation one level)
safetynet alerts --role ROLE         only tasks owned by ROLE (a role code)
safetynet alerts --practice          practice findings (breaches on work already closed), counts per clause;
                                     with --json one breach per line (never tasks: for oversight)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "alerts",
        help="list open work from risk findings; --sweep escalates overdue tasks",
        description="List current tasks raised from risk findings, with the reason, owner role and deadline. "
        "--sweep first creates tasks for new findings and then escalates overdue ones up the policy's chain.",
    )
    p.add_argument("--as-of", metavar="T", help="RFC 3339 time (default now): judge deadlines at T")
    p.add_argument("--json", action="store_true", help="print one task per line as JSON")
    p.add_argument("--sync", action="store_true", help="create tasks for new findings; close cleared ones")
    p.add_argument("--sweep", action="store_true", help="sync, then escalate overdue tasks (sergeant -> ...)")
    p.add_argument("--role", help="only tasks owned by this role code")
    p.add_argument("--limit", type=int, default=0, help="print at most this many tasks (0: all)")
    p.add_argument(
        "--practice",
        action="store_true",
        help="practice findings (breaches on work already closed) instead of tasks; --role: owned by that role",
    )
    p.set_defaults(func=run, needs_django=True)


def parse_as_of(value: str | None) -> dt.datetime | None:
    """Returns the aware datetime in `value` (None when not given); UsageError when unreadable."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--as-of {value!r}: expected an RFC 3339 time such as 2026-03-02T09:00:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def run(args: argparse.Namespace) -> int:
    from safetynet.lib.clock import FixedClock, system_clock
    from safetynet.risk.policy import current_policy
    from safetynet.work import escalations, services
    from safetynet.work.accommodation import escalate_accommodation_waits

    as_of = parse_as_of(args.as_of)
    clock = FixedClock(as_of) if as_of else system_clock
    now = clock.now()
    policy = current_policy()
    if args.sync or args.sweep:
        synced = services.sync_tasks(clock=clock, policy=policy)
        print(f"alerts: {synced.created:,} tasks created, {synced.closed:,} closed (finding cleared)")
    if args.sweep:
        swept = services.sweep(clock=clock, policy=policy)
        print(
            f"alerts: {swept.escalated:,} overdue tasks escalated, {swept.exhausted:,} overdue at the top of the chain"
        )
        for e in swept.escalations[: args.limit or None]:
            where = f"to {e.to_role}" if e.to_role else "(top of the chain)"
            print(f"  task {e.task_id} {e.clause}: {e.from_role} {where}")
        raised = escalations.sweep_escalations(clock=clock, policy=policy)
        print(f"alerts: {len(raised):,} overdue partnership escalations moved up a level")
        waits = escalate_accommodation_waits(clock=clock, policy=policy)
        print(f"alerts: {len(waits):,} police protection waits for accommodation escalated to the partnership")
        return 0
    if args.practice:
        return _practice(args)
    tasks = services.open_tasks(as_of=as_of, role=args.role)
    if args.limit:
        tasks = tasks[: args.limit]
    count = 0
    for task in tasks:
        count += 1
        row = services.task_as_dict(task, now)
        if args.json:
            print(json.dumps(row, sort_keys=True))
            continue
        due = task.due_at.strftime("%Y-%m-%d %H:%M") if task.due_at else "no deadline"
        flag = "OVERDUE " if row["overdue"] else ""
        print(
            f"{flag}{task.severity:<8} {task.clause:<4} due {due}  {task.owner_role:<28} "
            f"individual {task.individual_id}: {task.reason}"
        )
    if not args.json:
        print(f"alerts: {count:,} open tasks")
    return 0


def _practice(args: argparse.Namespace) -> int:
    from safetynet.work.practice import practice_breaches, practice_counts

    if args.json:
        for i, b in enumerate(practice_breaches(owner_role=args.role)):
            if args.limit and i >= args.limit:
                break
            row = {
                "finding": b.finding_id,
                "individual": b.individual_id,
                "clause": b.clause,
                "owner_role": b.owner_role,
                "at": b.at.isoformat() if b.at else None,
                "record": b.record,
                "reason": b.reason,
            }
            print(json.dumps(row, sort_keys=True))
        return 0
    counts = practice_counts()
    for clause, (findings, breaches) in counts.items():
        print(f"{clause:5} {findings:6,} practice finding(s), {breaches:7,} breach(es)")
    total = sum(f for f, _ in counts.values()), sum(b for _, b in counts.values())
    print(f"alerts: {total[0]:,} practice findings holding {total[1]:,} breaches (for oversight, not tasks)")
    return 0
