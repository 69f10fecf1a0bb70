"""The missing workspace's trigger plans, Philomena profiles and FARPs (a plan record through
capture; recording one closes M4), the care home's own initial enquiries (Philomena) and their
absence escalated once by the sweep, a child not on record created through capture, and the
coordinator's list filtered by children's home and plan status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safetynet.accounts.demo import create_demo_logins
from safetynet.cli.commands import demo_workspaces as workspaces
from safetynet.cli.commands.demo_context import DemoContext
from safetynet.interchange.capture import capture
from safetynet.lib.clock import FixedClock
from safetynet.missing import care, plans
from safetynet.missing import services as missing
from safetynet.reads.missing import ListFilter, coordinator_list
from safetynet.records.models import Event, Location, Plan
from safetynet.risk.areas import area_named
from safetynet.risk.models import Finding
from safetynet.risk.services import evaluate_individual
from safetynet.work.models import PartnershipEscalation
from safetynet.work.philomena import escalate_missing_home_enquiries
from tests.missing.conftest import CHILD, HOME, HOTEL, line, ref
from tests.world import AccessWorld

pytestmark = pytest.mark.django_db
CARE_HOME = ("csc", "LOC-HOME-1")


@pytest.fixture
def clock() -> FixedClock:
    """The risk engine's findings are evaluated as of now: the child is built as of now."""
    return FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


def _given(clock: FixedClock, **changes: Any) -> plans.PlanGiven:
    values: dict[str, Any] = {
        "plan_type": "trigger_plan",
        "review_due": clock.now().date() + dt.timedelta(days=28),
        "description": "Slim, 5ft 4, long dark hair; grey hoodie.",
        "risks": "Sexual exploitation by an older boyfriend; goes to hotels in town.",
        "content": "Phone the boyfriend's address first; check the hotel.",
        "photo_reference": "Photo ref CSC-PH-0042 (2026)",
        "phones": ["07700 900123"],
        "places": [ref(HOTEL)],
        "addresses": ["2 Invented Street, Testtown"],
    }
    return plans.PlanGiven(**{**values, **changes})


def _make_plan_overdue(clock: FixedClock) -> None:
    past = (clock.now() - dt.timedelta(days=3)).date().isoformat()
    later = (clock.now() - dt.timedelta(minutes=5)).isoformat()
    tp = line("plan", "csc", "TP1", plan_type="trigger_plan", person=ref(CHILD), review_due=past)
    result = capture([{**tp, "recorded_at": later}], door="cli", clock=clock)
    assert result.rejected == 0


def _m4(individual: int, clock: FixedClock) -> list[Any]:
    return [d for d in evaluate_individual(individual, as_of=clock.now()).drafts if d.clause == "M4"]


def test_recording_a_plan_closes_m4(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _make_plan_overdue(clock)
    assert _m4(child["child"], clock), "an overdue trigger plan with 3 episodes in 90 days is M4"
    assert Finding.objects.filter(individual_id=child["child"], clause="M4", state="open").exists()
    coordinator = access_world.users["missing_persons_coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        plan = plans.record_plan(
            child["child"], _given(clock, associates=[child["adult"]]), acting_user=coordinator, clock=clock
        )
    assert plan.source == "safetynet" and plan.plan_type == "trigger_plan"
    assert plan.payload["phones"] == ["07700 900123"] and plan.payload["photo_reference"].startswith("Photo ref")
    assert {(p.source, p.source_id) for p in plan.places.all()} >= {HOTEL}
    assert plan.associates.filter(source="rms", source_id="ADAM1").exists()
    assert not _m4(child["child"], clock)
    assert not Finding.objects.filter(individual_id=child["child"], clause="M4", state__in=("open", "acknowledged"))


def test_bad_plans_are_refused_naming_the_field_and_nothing_is_stored(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    coordinator = access_world.users["missing_persons_coordinator"]
    before = Plan.live.count()
    today = clock.now().date()
    for bad, field in (
        ({"review_due": today}, "review_due"),
        ({"review_due": today + dt.timedelta(days=120)}, "review_due"),
        ({"review_due": None}, "review_due"),
        ({"plan_type": "cse_plan"}, "plan_type"),
        ({"phones": ["call me"]}, "phones"),
        ({"associates": [child["child"]]}, "associates"),
        ({"description": ""}, "description"),
        ({"risks": " "}, "risks"),
        ({"places": [{"source": "rms", "id": "NOPE"}]}, "places"),
    ):
        with pytest.raises(missing.MissingRefused) as refused:
            plans.record_plan(child["child"], _given(clock, **bad), acting_user=coordinator, clock=clock)
        assert refused.value.field == field, bad
    with pytest.raises(missing.NotYours):
        plans.record_plan(child["child"], _given(clock), acting_user=access_world.users["call_handler"], clock=clock)
    assert Plan.live.count() == before


def test_a_plan_is_changed_as_its_next_version_and_a_stale_edit_is_refused(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    coordinator, social = access_world.users["missing_persons_coordinator"], access_world.users["partner_social_worker"]
    plan = plans.record_plan(child["child"], _given(clock), acting_user=coordinator, clock=clock)
    seen = plans.plan_version(plan)
    later = FixedClock(clock.now() + dt.timedelta(minutes=10))
    changed = plans.update_plan(
        plan.pk,
        _given(later, plan_type="philomena_profile", phones=[], photo_reference=""),
        version=seen,
        acting_user=social,
        clock=later,
    )
    assert changed.pk == plan.pk and changed.plan_type == "philomena_profile"
    assert "phones" not in changed.payload and changed.payload["owner"]["username"] == coordinator.username
    with pytest.raises(missing.MissingRefused) as refused:
        plans.update_plan(plan.pk, _given(later), version=seen, acting_user=coordinator, clock=later)
    assert refused.value.field == "version"
    source_plan = Plan.live.get(source="csc", source_id="TP1")
    with pytest.raises(missing.MissingRefused) as refused:
        plans.update_plan(source_plan.pk, _given(later), acting_user=coordinator, clock=later)
    assert refused.value.field == "plan"


def _home(clock: FixedClock) -> Location:
    home = line(
        "location", *CARE_HOME, address_lines=["Invented House"], town="Testtown", location_type="childrens_home"
    )
    assert capture([home], door="cli", clock=clock).rejected == 0
    return Location.live.get(source=CARE_HOME[0], source_id=CARE_HOME[1])


def _report_from_care(world: AccessWorld, child: dict[str, int], clock: FixedClock, home: Location) -> Event:
    given = missing.Report(
        last_seen_at=clock.now() - dt.timedelta(hours=1),
        missing_from="care",
        circumstances="Left the children's home after tea and did not come back.",
        description="Grey hoodie.",
        reported_by="Home manager",
        risk="high",
        ethnicity_self_defined="W1",
        care_home=care.home_ref(home.pk),
    )
    return missing.report(child["child"], given, acting_user=world.users["call_handler"], clock=clock)


def test_the_homes_enquiries_missing_after_the_policy_hours_are_escalated_once(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    home = _home(clock)
    episode = _report_from_care(access_world, child, clock, home)
    assert episode.details["care_home"] == ref(CARE_HOME)
    assert escalate_missing_home_enquiries(clock=FixedClock(clock.now() + dt.timedelta(hours=1))) == []
    later = FixedClock(clock.now() + dt.timedelta(hours=2, minutes=1))
    raised = escalate_missing_home_enquiries(clock=later)
    assert len(raised) == 1
    escalation = raised[0]
    assert escalation.refusal_id == episode.pk and escalation.owner_agency.code == "csc"
    assert escalation.individual_id == child["child"] and "Philomena" in escalation.reason
    assert escalation.raised_by == access_world.users["call_handler"]
    assert escalate_missing_home_enquiries(clock=FixedClock(later.now() + dt.timedelta(hours=1))) == []
    assert PartnershipEscalation.objects.filter(refusal_id=episode.pk).count() == 1


def test_enquiries_recorded_in_time_are_not_escalated_and_bad_ones_are_refused(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    home = _home(clock)
    episode = _report_from_care(access_world, child, clock, home)
    handler = access_world.users["call_handler"]
    kwargs: dict[str, Any] = {
        "made_at": clock.now() - dt.timedelta(minutes=30),
        "checks": ["searched_home", "phoned_child"],
        "made_by": "Residential worker on shift",
        "findings": "Not in the home; phone off; friends have not seen her.",
    }
    for bad, field in (
        ({"checks": []}, "checks"),
        ({"checks": ["prayed"]}, "checks"),
        ({"made_at": clock.now() + dt.timedelta(hours=1)}, "made_at"),
        ({"made_at": clock.now() - dt.timedelta(hours=3)}, "made_at"),
        ({"findings": ""}, "findings"),
    ):
        with pytest.raises(missing.MissingRefused) as refused:
            care.record_home_enquiries(episode.pk, **{**kwargs, **bad}, acting_user=handler, clock=clock)
        assert refused.value.field == field, bad
    later = FixedClock(clock.now() + dt.timedelta(minutes=30))
    done = care.record_home_enquiries(episode.pk, **kwargs, acting_user=handler, clock=later)
    assert done.details["home_enquiries"]["checks"] == ["searched_home", "phoned_child"]
    assert escalate_missing_home_enquiries(clock=FixedClock(clock.now() + dt.timedelta(hours=3))) == []
    at_home = missing.report(
        child["child"],
        missing.Report(
            last_seen_at=clock.now() - dt.timedelta(hours=1),
            missing_from="home",
            circumstances="Did not come home from school.",
            description="",
            reported_by="Mother",
            risk="high",
            ethnicity_self_defined="W1",
        ),
        acting_user=handler,
        clock=clock,
    )
    with pytest.raises(missing.MissingRefused) as refused:
        care.record_home_enquiries(at_home.pk, **kwargs, acting_user=handler, clock=later)
    assert refused.value.field == "episode"


def test_a_child_not_on_record_is_created_through_capture_then_reported(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    handler = access_world.users["call_handler"]
    today = clock.now().date()
    for bad, field in (
        ({"given_names": ""}, "given_names"),
        ({"date_of_birth": today - dt.timedelta(days=30 * 365)}, "date_of_birth"),
        ({"date_of_birth": today + dt.timedelta(days=1)}, "date_of_birth"),
        ({"sex": "x"}, "sex"),
    ):
        values = {"given_names": "Zed", "family_name": "Inventednew", **bad}
        with pytest.raises(missing.MissingRefused) as refused:
            care.create_child(care.NewChild(**values), acting_user=handler, clock=clock)
        assert refused.value.field == field
    individual = care.create_child(
        care.NewChild("Zed", "Inventednew", today - dt.timedelta(days=14 * 365), "male", "9 Invented Lane, Testtown"),
        acting_user=handler,
        clock=clock,
    )
    assert individual not in child.values()
    episode = missing.report(
        individual,
        missing.Report(
            last_seen_at=clock.now() - dt.timedelta(hours=1),
            missing_from="home",
            circumstances="Did not come home from school.",
            description="",
            reported_by="Mother",
            risk="high",
            ethnicity_self_defined="NS",
        ),
        acting_user=handler,
        clock=clock,
    )
    assert episode.participations.get(role="missing_person").person.source == "safetynet"


def test_the_coordinators_list_filters_by_home_and_plan_status(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    home = _home(clock)
    episode = _report_from_care(access_world, child, clock, home)
    coordinator = access_world.users["missing_persons_coordinator"]
    everyone = coordinator_list(coordinator, clock.now())
    row = next(r for r in everyone.missing_now if r.episode.pk == episode.pk)
    assert row.plan == "current"
    by_home = coordinator_list(coordinator, clock.now(), ListFilter(care_home=home.pk))
    assert [r.episode.pk for r in by_home.missing_now] == [episode.pk]
    assert [r.individual_id for r in by_home.repeat] == [child["child"]]
    other = Location.live.get(source=HOME[0], source_id=HOME[1])
    assert coordinator_list(coordinator, clock.now(), ListFilter(care_home=other.pk)).missing_now == []
    assert coordinator_list(coordinator, clock.now(), ListFilter(plan="none")).missing_now == []
    assert coordinator_list(coordinator, clock.now(), ListFilter(plan="current")).missing_now
    _make_plan_overdue(clock)
    overdue = coordinator_list(coordinator, clock.now(), ListFilter(plan="overdue", missing_from="care"))
    assert [r.episode.pk for r in overdue.missing_now] == [episode.pk]
    assert ListFilter(care_home=home.pk, plan="overdue").query() == f"care_home={home.pk}&plan=overdue"


def test_the_coordinators_list_filters_by_area(
    access_world: AccessWorld, child: dict[str, int], clock: FixedClock
) -> None:
    home = _home(clock)
    episode = _report_from_care(access_world, child, clock, home)
    coordinator = access_world.users["missing_persons_coordinator"]
    south, west = area_named("Kingsford and the south"), area_named("West")
    assert south is not None and west is not None
    assert coordinator_list(coordinator, clock.now(), ListFilter(area=south)).missing_now == []
    later = (clock.now() - dt.timedelta(minutes=1)).isoformat()
    lines = [
        line("location", "csc", "LOC-MIA", address_lines=["4 Invented Way"], postcode="EK1 2AB", town="Kingsford"),
        {
            **line(
                "person",
                *CHILD,
                given_names="Mia",
                family_name="Inventedlost",
                date_of_birth="2010-09-01",
                care_status="looked_after",
                addresses=[{"location": {"source": "csc", "id": "LOC-MIA"}, "kind": "home"}],
            ),
            "recorded_at": later,
        },
    ]
    assert capture(lines, door="cli", clock=clock).rejected == 0
    inside = coordinator_list(coordinator, clock.now(), ListFilter(area=south))
    assert [r.episode.pk for r in inside.missing_now] == [episode.pk]
    assert [r.individual_id for r in inside.repeat] == [child["child"]]
    assert coordinator_list(coordinator, clock.now(), ListFilter(area=west)).repeat == []
    assert ListFilter(area=south).query() == "area=Kingsford+and+the+south"


def test_the_demo_step_reports_from_care_escalates_the_missing_enquiries_and_records_a_plan(
    access_world: AccessWorld,
    child: dict[str, int],
    clock: FixedClock,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    create_demo_logins()
    _make_plan_overdue(clock)
    # A second repeat-missing child in the same county, so the demo reports two.
    other = [
        line("person", "csc", "KAI1", given_names="Kai", family_name="Inventedlost", date_of_birth="2011-02-02"),
        *[
            line(
                "event",
                "rms",
                f"MK{i}",
                event_type="missing_report",
                occurred_at=(clock.now() - dt.timedelta(days=10 * i)).isoformat(),
                participants=[{"person": {"source": "csc", "id": "KAI1"}, "role": "missing_person"}],
                details={"found_at": (clock.now() - dt.timedelta(days=10 * i, hours=-3)).isoformat()},
            )
            for i in (1, 2)
        ],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert capture(other, door="cli", clock=clock).rejected == 0
    ctx = DemoContext(data_dir=tmp_path, children=1, seed=1, fresh=False, clock=clock)
    workspaces.missing(ctx)
    written = Event.live.filter(source="safetynet", event_type="missing_report")
    assert written.count() == 2 and all(e.details["missing_from"] == "care" for e in written)
    assert sum(1 for e in written if e.details.get("home_enquiries")) == 1
    assert PartnershipEscalation.objects.filter(refusal__in=written).count() == 1
    assert Plan.live.filter(source="safetynet", plan_type="trigger_plan").count() == 1
    assert "escalated to children's social care" in ctx.notes[-1] and "trigger plan recorded" in ctx.notes[-1]
