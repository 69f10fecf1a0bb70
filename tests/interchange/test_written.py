"""A workspace changes a record it wrote by sending the current version back with its change
(`interchange.written`): what the form did not touch survives, the new version comes after the
old even when the clock has not moved, and a refusal names the field."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from safetynet.interchange.written import CaptureRejected, next_version, write, written_event
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event, RecordVersion

pytestmark = pytest.mark.django_db


def _meeting() -> dict[str, object]:
    return {
        "kind": "event",
        "event_type": "meeting",
        "occurred_at": "2026-03-01T10:00:00+00:00",
        "summary": "Strategy discussion",
        "location_note": "kept by the source, unknown to safetynet",
        "details": {"meeting_type": "strategy_discussion", "agenda": []},
    }


def test_the_next_version_keeps_what_the_change_did_not_touch(clock: FixedClock) -> None:
    user = get_user_model().objects.create_user("chair1")
    first = write([_meeting()], acting_user=user, clock=clock, label="meeting")

    record = next_version(first, clock)  # the clock has not moved: still after the first version
    record["summary"] = "Strategy discussion (held)"
    second = write([record], acting_user=user, clock=clock, reason="recorded as held", label="meeting")

    assert second.pk == first.pk and second.summary == "Strategy discussion (held)"
    assert second.payload["location_note"] == "kept by the source, unknown to safetynet"
    assert second.details["meeting_type"] == "strategy_discussion"
    assert second.recorded_at is not None and first.recorded_at is not None
    assert second.recorded_at > first.recorded_at
    assert second.payload["entered_by"] == {"user": "chair1", "reason": "recorded as held"}
    assert RecordVersion.objects.filter(source_id=first.source_id).count() == 1
    assert written_event(first.pk, "meeting") == second
    assert written_event(first.pk, "referral") is None


def test_a_change_without_a_reason_is_refused_naming_the_field(clock: FixedClock) -> None:
    user = get_user_model().objects.create_user("chair1")
    first = write([_meeting()], acting_user=user, clock=clock, label="meeting")
    record = next_version(first, clock)
    record["summary"] = "Strategy discussion (held)"

    with pytest.raises(CaptureRejected) as refused:
        write([record], acting_user=user, clock=clock, label="meeting")

    assert refused.value.field == "reason"
    assert Event.live.get(pk=first.pk).summary == "Strategy discussion"
