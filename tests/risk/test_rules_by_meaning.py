"""Rules read the interchange format's meaning, not the generator's habits: rank from `rank`
falling back to `role`, the grade in force, a missing grade, adults found with several
missing children, every child involved in an image offence, ordinals."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.risk.rules.base import ordinal, rank_of
from safetynet.risk.rules.meetings import _due
from tests.risk.conftest import World, ago, iso, ref
from tests.risk.scenarios import _episode, _review


@pytest.mark.parametrize(
    ("staff", "rank"),
    [
        ({"role": "police", "rank": "sergeant"}, "sergeant"),
        ({"rank": "inspector"}, "inspector"),
        ({"role": "sergeant"}, "sergeant"),  # older records put the rank in `role`
        ({"role": "custody_officer", "rank": "sergeant"}, "sergeant"),
        ("PS 1234 Smith", "sergeant"),
        ({"role": "call_handler"}, ""),
    ],
)
def test_the_rank_is_read_from_rank_falling_back_to_role(staff: object, rank: str) -> None:
    assert rank_of(staff) == rank


def test_a_review_by_a_sergeant_recorded_with_role_police_meets_the_supervision_clock(world: World) -> None:
    child = world.child(15)
    t = ago(days=3)
    sergeant = {"name": "S", "role": "police", "rank": "sergeant"}
    inspector = {"name": "I", "role": "police", "rank": "inspector"}
    _episode(
        world,
        child,
        t,
        reviews=[_review(t + dt.timedelta(minutes=30), sergeant), _review(t + dt.timedelta(minutes=90), inspector)],
    )
    assert world.findings(child, "M2") == []


def test_a_report_with_no_initial_grade_graded_below_the_floor_by_its_reviews_is_m1(world: World) -> None:
    child = world.child(15)
    t = ago(days=3)
    sergeant = {"name": "S", "role": "police", "rank": "sergeant"}
    report = _episode(
        world,
        child,
        t,
        initial_risk=None,
        reviews=[_review(t + dt.timedelta(minutes=30), sergeant, "low", "Goes missing most weekends.")],
    )
    [m1] = world.findings(child, "M1")
    assert m1.key == ref(report)
    assert "graded low by its reviews (the report itself carries no grade)" in m1.reason


def test_the_latest_review_grade_is_the_grade_in_force(world: World) -> None:
    child = world.child(15)
    t = ago(days=3)
    raised = _episode(
        world,
        child,
        t,
        initial_risk="low",
        reviews=[_review(t + dt.timedelta(minutes=30), {"rank": "sergeant"}, "high")],
    )
    lowered = _episode(
        world,
        child,
        ago(days=2),
        initial_risk="high",
        reviews=[
            _review(ago(days=2) + dt.timedelta(minutes=30), {"rank": "inspector"}, "medium", "Repeat missing person.")
        ],
    )
    assert [d.key for d in world.findings(child, "M1")] == [ref(lowered)]
    assert ref(raised) != ref(lowered)


def test_a_report_with_no_grade_at_all_is_a_breach(world: World) -> None:
    child = world.child(15)
    t = ago(days=3)
    _episode(
        world, child, t, initial_risk=None, reviews=[_review(t + dt.timedelta(minutes=30), {"rank": "sergeant"}, None)]
    )
    [m1] = world.findings(child, "M1")
    assert "carries no risk grade" in m1.reason


def test_an_adult_found_with_several_missing_children_at_a_hotel_is_x2_for_each(world: World) -> None:
    hotel = world.location("hotel")
    adult = world.adult(34)
    children = [world.child(age) for age in (13, 14, 15)]
    for i, c in enumerate(children):
        _episode(world, c, ago(days=20 + i))
    incident = world.event(
        "incident",
        ago(days=5),
        [(adult, "associate"), *((c, "present_child") for c in children)],
        location=hotel,
        summary="Night manager called about juveniles in a room with an older male.",
    )
    for c in children:
        [x2] = [d for d in world.findings(c, "X2") if d.aspect == "co_located"]
        assert x2.key == ref(incident)
        assert "found with 2 other missing or at-risk children and 1 adult(s) who are not family" in x2.reason


def test_a_parent_at_home_with_their_missing_children_is_not_x2(world: World) -> None:
    home = world.location("home")
    parent = world.adult(40)
    children = [world.child(age) for age in (13, 14, 15)]
    for c in children:
        world.relationship(parent, c, "parent_of")
        _episode(world, c, ago(days=20))
    world.event(
        "incident", ago(days=5), [(parent, "reporter"), *((c, "present_child") for c in children)], location=home
    )
    assert [d for d in world.findings(children[0], "X2") if d.aspect == "co_located"] == []


def test_the_child_who_shared_an_image_is_considered_as_well_as_the_child_depicted(world: World) -> None:
    depicted, sharer = world.child(13), world.child(14)
    t = ago(days=60)
    crime = world.event(
        "crime",
        t,
        [(depicted, "subject"), (sharer, "offender")],
        details={"online": True, "sexual_offence": True, "offence": "Indecent image shared"},
    )
    [for_depicted] = world.findings(depicted, "O1")
    [for_sharer] = world.findings(sharer, "O1")
    assert for_depicted.key == for_sharer.key == ref(crime)
    assert "who shared or received the images" in for_sharer.reason
    assert "who shared" not in for_depicted.reason
    assert iso(t)  # the offence date drives the 7-day clock


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (111, "111th"),
    ],
)
def test_ordinals_read_as_english(n: int, text: str) -> None:
    assert ordinal(n) == text


@pytest.mark.parametrize(
    ("due", "falls_due"),
    [
        ("2026-07-01", dt.datetime(2026, 7, 1, 22, 59, tzinfo=dt.UTC)),  # 23:59 BST
        ("2026-12-01", dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC)),  # 23:59 GMT
        ("2026-07-01T09:00:00+01:00", dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)),
    ],
)
def test_a_meeting_action_due_on_a_day_falls_due_at_the_end_of_that_day_in_the_forces_time_zone(
    due: str, falls_due: dt.datetime
) -> None:
    assert _due(due) == falls_due


@pytest.mark.parametrize(
    ("received", "owner"),
    [
        (dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC), "mash_officer"),  # Monday 08:30: the MASH is open
        (dt.datetime(2026, 3, 2, 6, 45, tzinfo=dt.UTC), "inspector"),  # Monday 06:45: before it opens
        (dt.datetime(2026, 2, 28, 14, 0, tzinfo=dt.UTC), "inspector"),  # Saturday afternoon
        (dt.datetime(2026, 2, 27, 18, 30, tzinfo=dt.UTC), "inspector"),  # Friday 18:30: closed for the weekend
        (dt.datetime(2026, 6, 1, 7, 30, tzinfo=dt.UTC), "mash_officer"),  # Monday 08:30 British Summer Time
    ],
)
def test_an_untriaged_referral_received_when_the_mash_is_closed_is_the_duty_inspectors(
    world: World, received: dt.datetime, owner: str
) -> None:
    child = world.child(10)
    world.event("referral", received, [(child, "subject")], source="csc", details={"received_at": iso(received)})
    [h1] = world.findings(child, "H1", as_of=received + dt.timedelta(hours=1))
    assert h1.owner_role == owner
    assert ("out-of-hours duty inspector" in h1.reason) == (owner == "inspector")
    assert h1.due_by == received + dt.timedelta(hours=4)  # the same red clock
