"""What the protection workspace's two records share: refusals, the acting officer as an
interchange actor, and storing each change as a new version of a `safetynet` record through the
capture service (door `web`), recorded now and always after the version it corrects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.access.profiles import has_permission
from safetynet.interchange.written import CaptureRejected, next_version, write, written_event
from safetynet.lib.clock import Clock
from safetynet.meetings.services import MeetingRefused, person_ref
from safetynet.records.models import Event

SOURCE = "safetynet"
TEXT_MAX = 4000
RATIONALE_MIN_CHARACTERS = 10
PERMISSION = "record_protection"


class ProtectionRefused(Exception):
    """Bad input: `field` names the input, `expected` what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


class NotYourRecord(Exception):
    """`acting_user` may not make this change (the message names the permission)."""


def require(user: Any, permission: str, what: str) -> None:
    if user is not None and not has_permission(user, permission):
        raise NotYourRecord(f"expected a role with the {permission} permission to {what}")


def text(field: str, value: Any, what: str, minimum: int = 1) -> str:
    """`value` as trimmed text, or ProtectionRefused naming `field`."""
    out = str(value or "").strip()
    if len(out) < minimum:
        more = f"at least {minimum} characters: " if minimum > 1 and out else ""
        raise ProtectionRefused(field, f"expected {more}{what}")
    if len(out) > TEXT_MAX:
        raise ProtectionRefused(field, f"expected {TEXT_MAX:,} characters or fewer")
    if "\x00" in out:
        raise ProtectionRefused(field, "expected text without null characters")
    return out


def when(
    field: str, value: Any, *, clock: Clock, not_before: dt.datetime | None = None, after: str = ""
) -> dt.datetime:
    """A date and time with its time zone, not in the future and not before `not_before`."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ProtectionRefused(field, "expected a date and time with its time zone")
    if value > clock.now() + dt.timedelta(minutes=5):
        raise ProtectionRefused(field, "expected a date and time that has passed")
    if not_before is not None and value < not_before:
        raise ProtectionRefused(field, f"expected a time no earlier than {after} ({not_before:%d %b %Y %H:%M})")
    return value


def child_ref(individual_id: int) -> dict[str, str]:
    try:
        return person_ref(individual_id)
    except MeetingRefused as refused:
        raise ProtectionRefused("individual", refused.expected) from refused


def store(record: dict[str, Any], *, acting_user: Any, clock: Clock, reason: str = "") -> Event:
    """Sends one record through the capture service; the stored event, or the capture's
    rejection as ProtectionRefused (its field and reason)."""
    try:
        return write([record], acting_user=acting_user, clock=clock, reason=reason, label=record["event_type"])
    except CaptureRejected as rejected:
        raise ProtectionRefused(rejected.field or record["event_type"], rejected.reason) from rejected


def record_of(event: Event, clock: Clock) -> dict[str, Any]:
    """The interchange record of the event's current version, to change and send again."""
    return next_version(event, clock)


def event_of(pk: int, event_type: str, what: str) -> Event:
    found = written_event(pk, event_type)
    if found is None:
        raise ProtectionRefused(event_type, f"expected the id of {what} recorded in safetynet, not {pk}")
    return found


def stamp(value: dt.datetime) -> str:
    return value.isoformat()


def parse(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None
