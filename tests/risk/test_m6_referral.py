"""M6 (policy 2026.2): a child found with adults who are not family, or at a place of concern,
needs a safeguarding referral; the finding names the report, the adults and any late referral."""

from __future__ import annotations

import datetime as dt

from safetynet.records import models as rm
from safetynet.risk.services import evaluate_individual
from tests.risk.conftest import World, ago, iso, ref


def _found_with(
    w: World, child: rm.Person, found: dt.datetime, *, with_: list[rm.Person] = (), at: rm.Location | None = None
) -> rm.Event:
    """A missing episode ending at `found`, its return home interview done in time."""
    start = found - dt.timedelta(hours=6)
    details: dict[str, object] = {
        "initial_risk": "high",
        "found_at": iso(found),
        "return_home_interview": {"completed_at": iso(found + dt.timedelta(hours=30))},
    }
    if at is not None:
        details["found_location"] = {"source": at.source, "id": at.source_id}
    return w.event(
        "missing_report",
        start,
        [(child, "missing_person"), *((a, "co_located") for a in with_)],
        reported_at=start,
        details=details,
    )


def _referral(w: World, child: rm.Person, at: dt.datetime, linked: list[rm.Event] = ()) -> rm.Event:  # type: ignore[assignment]
    return w.event(
        "referral",
        at,
        [(child, "subject")],
        details={"concern": ["exploitation", "missing"], "received_at": iso(at)},
        linked=linked,
        source="csc",
    )


def _referral_findings(w: World, child: rm.Person) -> list:  # type: ignore[type-arg]
    return [f for f in w.findings(child, "M6") if "referral" in f.reason]


def test_found_with_an_adult_and_no_referral_is_a_finding_naming_the_report_and_the_adult(world: World) -> None:
    c, adult = world.child(14), world.adult(31)
    report = _found_with(world, c, ago(days=5), with_=[adult])
    (finding,) = world.findings(c, "M6")
    assert "found with 1 adult who is not family" in finding.reason
    assert "no safeguarding referral has been made in the 5 days since" in finding.reason
    assert finding.cites[:2] == (ref(report), ref(adult))
    assert finding.key == ref(report) and finding.due_by is not None


def test_a_linked_referral_in_time_clears_it(world: World) -> None:
    c, adult = world.child(14), world.adult(31)
    found = ago(days=5)
    report = _found_with(world, c, found, with_=[adult])
    _referral(world, c, found + dt.timedelta(hours=3), linked=[report])
    assert _referral_findings(world, c) == []


def test_a_referral_about_the_child_after_being_found_counts_without_a_link(world: World) -> None:
    c, adult = world.child(14), world.adult(31)
    found = ago(days=5)
    _found_with(world, c, found, with_=[adult])
    _referral(world, c, found + dt.timedelta(hours=20))
    assert _referral_findings(world, c) == []


def test_a_referral_made_while_the_child_was_still_missing_does_not_count(world: World) -> None:
    c, adult = world.child(14), world.adult(31)
    found = ago(days=5)
    _found_with(world, c, found, with_=[adult])
    _referral(world, c, found - dt.timedelta(hours=2))
    assert len(_referral_findings(world, c)) == 1


def test_a_late_referral_is_a_finding_citing_it(world: World) -> None:
    c, adult = world.child(14), world.adult(31)
    found = ago(days=5)
    report = _found_with(world, c, found, with_=[adult])
    late = _referral(world, c, found + dt.timedelta(hours=40), linked=[report])
    (finding,) = _referral_findings(world, c)
    assert "referral was made 40 hours later (limit 24 hours)." in finding.reason
    assert ref(late) in finding.cites


def test_a_referral_not_yet_due_is_pending_with_its_deadline(world: World) -> None:
    c, adult = world.child(14), world.adult(31)
    found = ago(hours=5)
    _found_with(world, c, found, with_=[adult])
    (finding,) = _referral_findings(world, c)
    assert "is due by" in finding.reason and finding.due_by == found + dt.timedelta(hours=24)


def test_found_with_a_parent_or_another_child_needs_no_referral(world: World) -> None:
    c, mother, friend = world.child(14), world.adult(40), world.child(15)
    world.relationship(mother, c, "parent_of")
    _found_with(world, c, ago(days=5), with_=[mother, friend])
    assert world.findings(c, "M6") == []


def test_a_person_of_unknown_age_counts_as_an_adult(world: World) -> None:
    c, stranger = world.child(14), world.person(None)
    _found_with(world, c, ago(days=5), with_=[stranger])
    (finding,) = world.findings(c, "M6")
    assert "found with 1 person (adult or of unknown age) not family" in finding.reason


def test_found_alone_at_a_hotel_needs_a_referral(world: World) -> None:
    c, hotel = world.child(15), world.location("hotel")
    report = _found_with(world, c, ago(days=5), at=hotel)
    (finding,) = world.findings(c, "M6")
    assert "found at a hotel" in finding.reason and ref(report) in finding.cites


def test_found_alone_in_a_public_place_needs_no_referral(world: World) -> None:
    c = world.child(15)
    _found_with(world, c, ago(days=5), at=world.location("public_place"))
    assert world.findings(c, "M6") == []


def test_late_interview_and_missing_referral_are_two_findings_about_one_report(world: World) -> None:
    c, adult = world.child(14), world.adult(31)
    found = ago(days=5)  # within M6's 7-day work window: a task, not practice
    report = _found_with(world, c, found, with_=[adult])
    details = dict(report.details)
    details["return_home_interview"] = {"completed_at": iso(found + dt.timedelta(hours=100))}
    rm.Event.objects.filter(pk=report.pk).update(details=details)
    findings = world.findings(c, "M6")
    assert len(findings) == 2 and {f.key for f in findings} == {ref(report)}
    assert sorted(f.aspect for f in findings) == ["", "referral"]


def test_referral_clock_and_places_come_from_the_policy(world: World) -> None:
    from safetynet.risk.policy import current_policy

    spec = current_policy().clause("M6")
    assert spec.hours("safeguarding_referral") == dt.timedelta(hours=24)
    assert spec.words("place_of_concern_types") == ("hotel",)
    assert current_policy().version == "2026.10"
    c = world.child(14)
    assert evaluate_individual(c.membership.individual_id, as_of=ago(hours=0)).drafts == []
