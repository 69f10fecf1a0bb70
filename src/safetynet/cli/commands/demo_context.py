"""The demo's context: what every step of `safetynet demo` reads and adds its notes to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from safetynet.lib.clock import Clock, FixedClock, system_clock

WENT_LIVE_BEFORE_END = dt.timedelta(hours=3)  # a shift before the county ends


@dataclass
class DemoContext:
    data_dir: Path
    children: int
    seed: int
    fresh: bool
    notes: list[str] = field(default_factory=list)
    # The county ends now, so the work it makes has a realistic mix of deadlines (some passed,
    # most still running), not three-year-old history all overdue.
    clock: Clock = system_clock

    def went_live(self) -> Clock:
        """The demo force "went live" three hours before the county ends: the county is assessed
        and its overdue work escalated as of then, so the deadlines that passed since show as
        overdue (escalated work included: the supervisor is late too), beside the running."""
        return FixedClock(self.clock.now() - WENT_LIVE_BEFORE_END)
