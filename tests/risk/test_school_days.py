"""D1's "before the next school day begins" counts school days as a school does: 09:00 where the
force is (summer time included), no bank holidays, and inside the terms a force lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safetynet.lib.school_days import ENGLAND_AND_WALES, SchoolCalendar
from safetynet.records import models as rm
from safetynet.risk.policy import DEFAULT_POLICY_PATH, PolicyError, load_policy
from tests.risk.conftest import World, ago, iso

UTC = dt.UTC


def test_nine_oclock_is_nine_oclock_in_summer_and_bank_holidays_are_not_school_days() -> None:
    # Thursday 2 April 2026, 20:00 UTC: Good Friday and Easter Monday follow; Tuesday 7 April, 09:00 BST.
    assert ENGLAND_AND_WALES.next_start(dt.datetime(2026, 4, 2, 20, 0, tzinfo=UTC), 9) == dt.datetime(
        2026, 4, 7, 8, 0, tzinfo=UTC
    )
    # Monday 2 March 2026 (winter) 07:00 UTC: the same morning, 09:00 GMT.
    assert ENGLAND_AND_WALES.next_start(dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC), 9) == dt.datetime(
        2026, 3, 2, 9, 0, tzinfo=UTC
    )


def test_listed_terms_close_the_holidays_between_them_and_an_unlisted_year_counts_weekdays() -> None:
    calendar = SchoolCalendar.of(
        "Europe/London",
        bank_holidays="england_and_wales",
        terms=[(dt.date(2026, 9, 3), dt.date(2026, 10, 23)), (dt.date(2026, 11, 2), dt.date(2026, 12, 18))],
    )
    friday_night = dt.datetime(2026, 10, 23, 21, 0, tzinfo=UTC)  # half term follows
    assert calendar.next_start(friday_night, 9) == dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    after_the_listed_year = dt.datetime(2027, 2, 1, 7, 0, tzinfo=UTC)  # beyond the terms listed
    assert calendar.next_start(after_the_listed_year, 9) == dt.datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def test_a_notification_sent_at_half_past_eight_utc_in_summer_is_late(world: World) -> None:
    school = rm.Organisation.objects.create(source="directory", source_id="S9", recorded_at=ago(days=900), payload={})
    child = world.child(9, school=school)
    at = dt.datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # Monday 07:00 BST; school starts 08:00 UTC
    incident = world.event("incident", at, [(child, "present_child")], details={"domestic_abuse": True})
    world.event(
        "notification",
        dt.datetime(2026, 6, 1, 8, 30, tzinfo=UTC),
        [(child, "subject")],
        linked=[incident],
        details={"scheme": "operation_encompass", "sent_at": iso(dt.datetime(2026, 6, 1, 8, 30, tzinfo=UTC))},
    )
    [d1] = world.findings(child, "D1", as_of=dt.datetime(2026, 6, 2, tzinfo=UTC))
    assert "after the school day began" in d1.reason, d1.reason


def test_a_term_ending_before_it_starts_is_refused_on_load(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_PATH.read_text().replace(
        "  terms: []", "  terms:\n    - {first: 2026-10-23, last: 2026-09-03}"
    )
    path = tmp_path / "force.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert "a term's last day on or after its first" in str(refused.value)
