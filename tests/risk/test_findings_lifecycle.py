"""Stored findings: raised once, updated in place, closed by themselves when the condition
clears (with the time), acknowledged and resolved through its task (work) with a
language-checked rationale; past evaluation computed from what was recorded then."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User

from safetynet.cli.main import main
from safetynet.identity.models import Individual, Membership
from safetynet.identity.signals import individuals_changed
from safetynet.lib.clock import FixedClock
from safetynet.risk.models import Finding
from safetynet.risk.policy import DEFAULT_POLICY_PATH, Policy, parse_policy
from safetynet.risk.services import evaluate_individual, refresh_findings
from safetynet.work.models import IllegalMove, Task
from safetynet.work.services import RationaleRefused, acknowledge, resolve
from tests.risk.conftest import NOW, World, ago, ref
from tests.risk.scenarios import m4


def _repeat_missing(world: World) -> tuple[Any, int]:
    child, _ = m4(world, True)
    return child, child.membership.individual_id


def test_the_same_finding_is_not_raised_twice(world: World, clock: FixedClock) -> None:
    _, individual = _repeat_missing(world)
    refresh_findings([individual], clock=clock)
    clock.advance(hours=1)
    refresh_findings([individual], clock=clock)
    rows = Finding.objects.filter(individual_id=individual, clause="M4")
    assert rows.count() == 1
    assert rows.get().policy_version == "2026.10"


def test_a_finding_closes_itself_when_the_trigger_plan_is_added(world: World, clock: FixedClock) -> None:
    child, individual = _repeat_missing(world)
    refresh_findings([individual], clock=clock)
    clock.advance(hours=2)
    world.plan("trigger_plan", child, clock.now().date(), (clock.now() + dt.timedelta(days=90)).date())
    report = refresh_findings([individual], clock=clock)
    finding = Finding.objects.get(individual_id=individual, clause="M4")
    assert finding.state == Finding.State.CLOSED
    assert finding.closed_at == clock.now()
    assert finding.pk in report.closed


def test_acknowledge_then_resolve_with_a_rationale(world: World, clock: FixedClock) -> None:
    _, individual = _repeat_missing(world)
    refresh_findings([individual], clock=clock)
    finding = Finding.objects.get(individual_id=individual, clause="M4")
    task = Task.objects.get(finding=finding)  # made by work when the finding was raised
    user = User.objects.create(username="sgt-demo")
    acknowledge(task.pk, acting_user=user, clock=clock)
    assert Finding.objects.get(pk=finding.pk).state == "acknowledged"
    resolved = resolve(task.pk, acting_user=user, rationale="Trigger plan requested from the coordinator.", clock=clock)
    assert (resolved.state, resolved.resolved_by, resolved.resolved_at) == ("resolved", user, clock.now())
    assert Finding.objects.get(pk=finding.pk).state == "resolved"
    with pytest.raises(IllegalMove):
        acknowledge(task.pk, acting_user=user, clock=clock)
    # Still true on re-evaluation with nothing new and the resolution in date: it stays resolved.
    refresh_findings([individual], clock=clock)
    assert Finding.objects.filter(individual_id=individual, clause="M4").get().state == "resolved"


def _resolved_m4(world: World, clock: FixedClock, policy: Policy | None = None) -> tuple[Any, int, Task]:
    child, individual = _repeat_missing(world)
    refresh_findings([individual], clock=clock, policy=policy)
    task = Task.objects.get(finding__individual_id=individual, finding__clause="M4")
    user = User.objects.create(username="sgt-demo")
    resolve(task.pk, acting_user=user, rationale="Trigger plan requested from the coordinator.", clock=clock)
    return child, individual, task


def _policy_with_m4_resolution(resolution: str) -> Policy:
    text = DEFAULT_POLICY_PATH.read_text()
    shipped = "    resolution: {expiry: after_days, days: 30}\n"
    assert shipped in text
    return parse_policy(text.replace(shipped, f"    resolution: {resolution}\n"), "test.yaml")


def test_a_resolved_finding_reopens_when_the_child_goes_missing_again(world: World, clock: FixedClock) -> None:
    child, individual, task = _resolved_m4(world, clock)
    clock.advance(hours=6)
    world.event(
        "missing_report",
        clock.now() - dt.timedelta(hours=2),
        [(child, "missing_person")],
        reported_at=clock.now() - dt.timedelta(hours=2),
        details={"initial_risk": "high"},
    )
    report = refresh_findings([individual], clock=clock)
    task.refresh_from_db()
    assert [why for _, why in report.reopened] == ["1 new record(s) since the resolution"]
    assert (task.state, task.reopened_at, task.reopened_because) == (
        "open",
        clock.now(),
        "1 new record(s) since the resolution",
    )
    assert task.rationale == "Trigger plan requested from the coordinator."  # what was decided stays readable
    assert task.due_at is not None and task.due_at > clock.now()
    assert task.history.filter(action="reopened").get().note == "1 new record(s) since the resolution"
    assert Finding.objects.get(pk=task.finding_id).state == "open"
    assert "4 times" in task.reason  # the task reads the finding as it stands now


def test_a_resolution_expires_after_the_period_the_policy_sets(world: World, clock: FixedClock) -> None:
    policy = _policy_with_m4_resolution("{expiry: after_days, days: 2}")
    _, individual, task = _resolved_m4(world, clock, policy)
    clock.advance(days=1)
    assert refresh_findings([individual], clock=clock, policy=policy).reopened == []
    clock.advance(days=1)
    report = refresh_findings([individual], clock=clock, policy=policy)
    task.refresh_from_db()
    assert task.state == "open"
    assert "the resolution expired on 2026-03-04 and the condition persists" in task.reopened_because
    assert report.reopened == [(task.finding_id, task.reopened_because)]


def test_a_resolution_that_never_expires_still_reopens_on_new_evidence_only(world: World, clock: FixedClock) -> None:
    policy = _policy_with_m4_resolution("{expiry: never}")
    _, individual, task = _resolved_m4(world, clock, policy)
    clock.advance(days=5)
    report = refresh_findings([individual], clock=clock, policy=policy)
    task.refresh_from_db()
    assert task.state == "resolved" and report.reopened == []
    assert Finding.objects.get(pk=task.finding_id).state == "resolved"  # the condition persists, quietly


def test_only_a_resolved_task_can_be_reopened(world: World, clock: FixedClock) -> None:
    _, individual = _repeat_missing(world)
    refresh_findings([individual], clock=clock)
    task = Task.objects.get(finding__individual_id=individual, finding__clause="M4")
    with pytest.raises(IllegalMove, match="expected a resolved task"):
        task.reopen(at=clock.now(), because="x", due_at=clock.now(), severity="high", reason="r")


def test_a_rationale_that_blames_the_child_is_refused_with_a_better_wording(world: World, clock: FixedClock) -> None:
    _, individual = _repeat_missing(world)
    refresh_findings([individual], clock=clock)
    finding = Finding.objects.get(individual_id=individual, clause="M4")
    task = Task.objects.get(finding=finding)
    user = User.objects.create(username="sgt-demo")
    with pytest.raises(RationaleRefused) as refused:
        resolve(task.pk, acting_user=user, rationale="She regularly goes missing and always comes back.", clock=clock)
    assert refused.value.matches[0].phrase == "regularly goes missing"
    assert "Suggested wording" in str(refused.value)
    with pytest.raises(RationaleRefused, match="rationale is required"):
        resolve(task.pk, acting_user=user, rationale="  ", clock=clock)
    assert Finding.objects.get(pk=finding.pk).state == "open"


def test_past_evaluation_ignores_records_recorded_later(world: World) -> None:
    child = world.child(14)
    at = ago(days=5)
    late = world.event(
        "missing_report",
        at,
        [(child, "missing_person")],
        reported_at=at,
        recorded_at=ago(days=1),  # entered into the system four days later
        details={"initial_risk": "low", "risk_rationale": "Regular missing person.", "found_at": at.isoformat()},
    )
    individual = child.membership.individual_id
    before = evaluate_individual(individual, as_of=ago(days=2))
    after = evaluate_individual(individual, as_of=NOW)
    assert [d.clause for d in before.drafts] == []
    assert "M1" in [d.clause for d in after.drafts]
    assert ref(late) in next(d for d in after.drafts if d.clause == "M1").cites


def test_a_rule_that_cannot_read_a_record_records_an_error_and_the_others_still_run(world: World) -> None:
    child = world.child(14)
    world.event(
        "missing_report",
        ago(days=3),
        [(child, "missing_person")],
        reported_at=ago(days=3),
        details={"initial_risk": "medium", "found_at": "the next morning", "risk_rationale": "Regular missing person."},
    )
    drafts = world.findings(child)
    errors = [d for d in drafts if d.error]
    assert errors and all("could not be checked" in d.reason for d in errors)
    assert {"M1", "LANG"} <= {d.clause for d in drafts if not d.error}


def test_linkage_changes_re_evaluate_the_individual_and_its_neighbours(world: World) -> None:
    adult = world.adult(28)
    child = world.child(14)
    other = world.child(15)
    world.marker(child, "cse_risk")
    world.marker(other, "cce_risk")
    world.relationship(adult, child, "associate_of")
    world.relationship(adult, other, "associate_of")
    individuals_changed.send(sender=None, individual_ids=[adult.membership.individual_id], reason="incremental")
    # The adult's neighbours (both children) were evaluated by the task: each has its X2 finding.
    assert Finding.objects.filter(clause="X2").count() == 2


def test_evaluate_json_prints_one_finding_per_line(world: World, capsys: Any) -> None:
    child, individual = _repeat_missing(world)
    assert main(["evaluate", "--individual", str(individual), "--json", "--as-of", NOW.isoformat()]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    m4_line = next(line for line in lines if line["clause"] == "M4")
    assert set(m4_line) == {
        "clause",
        "severity",
        "reason",
        "subject",
        "cites",
        "owner_role",
        "due_by",
        "state",
        "kind",
        "detail",
    }
    assert (m4_line["kind"], m4_line["detail"]) == ("work", {})
    assert m4_line["subject"] == {"individual": individual, "records": [{"source": "rms", "id": child.source_id}]}
    assert m4_line["owner_role"] == "missing_persons_coordinator"
    assert not Finding.objects.exists()  # --as-of computes, never stores


def test_evaluate_refuses_a_bad_policy_in_one_line(world: World, tmp_path: Any, capsys: Any) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("version: 1\nclauses: []\n")
    assert main(["evaluate", "--policy", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "policy refused" in err and f"{bad}:" in err and len(err.strip().splitlines()) == 1


def test_an_imported_event_about_a_linked_child_is_evaluated_at_once(world: World) -> None:
    from safetynet.records.signals import records_changed

    child = world.child(14)
    report = world.event(
        "missing_report",
        ago(days=1),
        [(child, "missing_person")],
        reported_at=ago(days=1),
        details={"initial_risk": "low", "risk_rationale": "Will always return.", "found_at": ago(hours=20).isoformat()},
    )
    records_changed.send(sender=None, changes={"event": [report.pk]}, batch_id=1)
    clauses = set(Finding.objects.filter(individual_id=child.membership.individual_id).values_list("clause", flat=True))
    assert {"M1", "LANG"} <= clauses


def test_evaluate_with_a_truth_file_prints_recall_and_precision_per_clause(
    world: World, tmp_path: Any, capsys: Any
) -> None:
    child, individual = _repeat_missing(world)
    truth = tmp_path / "truth.json"
    first = child.participations.filter(event__event_type="missing_report").order_by("event__occurred_at")[0].event
    truth.write_text(
        json.dumps(
            {
                "persons": {f"rms:{child.source_id}": "C1"},
                "failures": [
                    {"clause": "M4", "person": "C1", "record": None},
                    {"clause": "X4", "person": "C1", "record": {"source": first.source, "id": first.source_id}},
                ],
            }
        )
    )
    assert main(["evaluate", "--individual", str(individual), "--as-of", NOW.isoformat(), "--truth", str(truth)]) == 0
    table = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()[:-1]}
    assert table["clause"] == ["planted", "found", "recall", "findings", "precision"]
    assert table["M4"] == ["1", "1", "100.0%", "1", "100.0%"]
    assert table["X4"] == ["1", "0", "0.0%", "0", "100.0%"]


def test_evaluate_refuses_a_file_that_is_not_a_truth_file(world: World, tmp_path: Any, capsys: Any) -> None:
    bad = tmp_path / "truth.json"
    bad.write_text('{"children": []}')
    assert main(["evaluate", "--truth", str(bad)]) == 2
    assert "expected `persons` and `failures`" in capsys.readouterr().err


def test_evaluate_closes_the_findings_of_an_individual_linkage_retired(world: World, settings: Any) -> None:
    settings.SAFETYNET_CLOCK = FixedClock(NOW)
    _, individual = _repeat_missing(world)
    assert main(["evaluate"]) == 0
    assert Finding.objects.filter(individual_id=individual, clause="M4", state="open").exists()
    # Linkage moves the child's records to another individual and retires this one.
    successor = Individual.objects.create()
    Membership.objects.filter(individual_id=individual).update(individual=successor)
    Individual.objects.filter(pk=individual).update(retired_at=NOW, merged_into=successor)
    assert main(["evaluate"]) == 0
    assert not Finding.objects.filter(individual_id=individual, state__in=["open", "acknowledged"]).exists()
    assert Finding.objects.get(individual_id=individual, clause="M4").closed_at == NOW
    assert Finding.objects.filter(individual=successor, clause="M4", state="open").exists()
