"""Records written in safetynet: the one capture call every workspace makes, and the next version
of a record it wrote.

A workspace (missing, MASH, meetings, protection) changes a record by sending its next version
through the capture service's web door (`capture.capture`): `next_version` is the current
version exactly as it was sent (its payload, so nothing the form did not touch is lost) with a
`recorded_at` that is now and always after the version it corrects; `write` sends it, with any
records it needs first, and answers the stored event or `CaptureRejected` naming the field the
capture refused.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from safetynet.access.apikeys import RESERVED_SOURCE
from safetynet.interchange.capture import capture
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import Clock
from safetynet.records.models import Event


class CaptureRejected(Exception):
    """The capture service refused a line: `field` (may be empty) and `reason`."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


def write(records: list[dict[str, Any]], *, acting_user: Any, clock: Clock, reason: str = "", label: str) -> Event:
    """Sends `records` (the event being written last) through the capture service's web door as
    `acting_user`; the stored event. A correction needs `reason` (the capture refuses it without)."""
    send(records, acting_user=acting_user, clock=clock, reason=reason, label=label)
    last = records[-1]
    return Event.live.get(source=RESERVED_SOURCE, source_id=last["id"], event_type=last["event_type"])


def send(records: list[dict[str, Any]], *, acting_user: Any, clock: Clock, reason: str = "", label: str) -> None:
    """Sends `records` of any kind through the capture service's web door as `acting_user`;
    CaptureRejected naming the field of the first line refused."""
    result = capture(
        records, door=ImportBatch.Door.WEB, clock=clock, acting_user=acting_user, reason=reason, label=label
    )
    for answer in result.answers:
        if answer.outcome == "rejected":
            raise CaptureRejected(answer.field, answer.reason)


def written_event(pk: int, event_type: str) -> Event | None:
    """The live event of this type written in safetynet with this id, or None."""
    return Event.live.filter(pk=pk, event_type=event_type, source=RESERVED_SOURCE).first()


def next_version(event: Event, clock: Clock) -> dict[str, Any]:
    """The event's current version as the record to change and send as its next version."""
    assert event.recorded_at is not None
    record = copy.deepcopy(event.payload) if event.payload else {}
    record["recorded_at"] = max(clock.now(), event.recorded_at + dt.timedelta(microseconds=1)).isoformat()
    record.setdefault("details", {})
    return record
