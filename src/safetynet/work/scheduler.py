"""The deadline sweeper: tasks for new findings, then escalation of the overdue, every minute.

Deadlines pass whether or not anyone is looking (the inspection's supervisors looked 4-6
hours late), so escalation cannot wait for a person to run `safetynet alerts --sweep`.
`safetynet worker` (which `safetynet serve` and `make demo` start) runs `sweep_periodically`
in a thread beside the task queue. A sweep that fails (the database restarting, say) is
logged and the next one runs on time; sweeps are idempotent and claim their rows
atomically, so two workers sweeping at once escalate nothing twice (docs/work.md).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from django.db import close_old_connections, connection

from safetynet.lib.clock import Clock, system_clock
from safetynet.risk.policy import current_policy
from safetynet.work import notifications
from safetynet.work.accommodation import escalate_accommodation_waits, escalate_transfer_refusals
from safetynet.work.escalations import EscalationStep, sweep_escalations
from safetynet.work.models import PartnershipEscalation
from safetynet.work.philomena import escalate_missing_home_enquiries
from safetynet.work.services import SweepReport, SyncReport, sweep, sync_tasks

log = logging.getLogger(__name__)

DEFAULT_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class SweepRun:
    synced: SyncReport
    swept: SweepReport
    escalations: list[EscalationStep] = field(default_factory=list)
    waits: list[PartnershipEscalation] = field(default_factory=list)


def sweep_once(*, clock: Clock = system_clock) -> SweepRun:
    """Create tasks for findings without one, close those whose finding cleared, escalate
    every overdue task one step, raise every overdue partnership escalation one level, put
    every police protection wait for accommodation past 12 hours and every child kept in custody
    after a refused or unanswered s38(6) request and every child missing from care whose home
    recorded no initial enquiries on the partnership log, tell
    the holders of tasks due within the hour, and send any immediate email still waiting (one a
    failed server left behind), all judged at `clock.now()`."""
    policy = current_policy()
    synced = sync_tasks(clock=clock, policy=policy)
    swept = sweep(clock=clock, policy=policy)
    raised = sweep_escalations(clock=clock, policy=policy)
    waits = escalate_accommodation_waits(clock=clock, policy=policy)
    waits += escalate_transfer_refusals(clock=clock, policy=policy)
    waits += escalate_missing_home_enquiries(clock=clock, policy=policy)
    notifications.tasks_due_soon(clock=clock)
    notifications.send_immediate(clock=clock)
    return SweepRun(synced, swept, raised, waits)


def sweep_periodically(every: float, stop: threading.Event, *, clock: Clock = system_clock) -> int:
    """Sweep now and then every `every` seconds until `stop` is set; return how many sweeps
    completed. A failed sweep is logged (no personal data: the exception type only) and
    does not stop the next one."""
    completed = 0
    while not stop.is_set():
        close_old_connections()
        try:
            run = sweep_once(clock=clock)
        except Exception as error:  # noqa: BLE001 - the loop must outlive any one failure
            log.error("work: deadline sweep failed (%s); retrying in %.0f s", type(error).__name__, every)
            connection.close()  # a broken connection is not reused by the next sweep
        else:
            completed += 1
            if run.synced.created or run.synced.closed:
                log.info("work: sweep created %d task(s), closed %d", run.synced.created, run.synced.closed)
        stop.wait(every)
    connection.close()
    return completed


def start_sweeper(every: float = DEFAULT_EVERY_SECONDS, *, clock: Clock = system_clock) -> threading.Event:
    """Run `sweep_periodically` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=sweep_periodically, args=(every, stop), kwargs={"clock": clock}, name="deadline-sweeper", daemon=True
    )
    thread.start()
    return stop
