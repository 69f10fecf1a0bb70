"""As of T, a record changed later is read as its source had it at T (the version in force then)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from safetynet.cli.main import main
from safetynet.identity.batch import link_all
from safetynet.identity.models import Individual, Membership
from safetynet.interchange.importer import import_files
from safetynet.lib.clock import FixedClock
from safetynet.records.models import MODELS_BY_KIND, Person
from safetynet.risk.picture_load import load_picture
from safetynet.risk.rules import FindingDraft
from safetynet.risk.services import evaluate_individual, evaluate_individuals
from safetynet.synth.config import make_config
from safetynet.synth.generator import generate
from tests.interchange.conftest import write_jsonl

pytestmark = pytest.mark.django_db

T0 = "2026-01-05T06:00:00+00:00"  # the child and the reports first sent
T1 = "2026-01-05T12:00:00+00:00"  # version 1
T2 = "2026-01-20T08:00:00+00:00"  # version 2
BEFORE = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # before version 1
BETWEEN = dt.datetime(2026, 1, 18, 9, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 1, 25, 9, 0, tzinfo=dt.UTC)


def record(kind: str, id: str, recorded_at: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "source": "rms", "id": id, "recorded_at": recorded_at, **fields}


def child() -> dict[str, Any]:
    return record("person", "P1", T0, given_names="Testy", family_name="Example", date_of_birth="2012-04-01")


def report(id: str, recorded_at: str, *, day: int = 4, **details: Any) -> dict[str, Any]:
    return record(
        "event",
        id,
        recorded_at,
        event_type="missing_report",
        occurred_at=f"2026-01-{day:02d}T20:00:00Z",
        reported_at=f"2026-01-{day:02d}T20:30:00Z",
        participants=[{"person": "P1", "role": "missing_person"}],
        details=details,
    )


def trigger_plan(recorded_at: str, review_due: str, **extra: Any) -> dict[str, Any]:
    return record(
        "plan", "TP1", recorded_at, plan_type="trigger_plan", person="P1", created_at="2025-12-01", **extra
    ) | {"review_due": review_due}


@pytest.fixture
def load(tmp_path: Path, clock: FixedClock) -> Any:
    """Import files in turn (each a list of lines); returns the child's individual id."""

    def run(*files: list[dict[str, Any]]) -> int:
        for n, rows in enumerate(files):
            path = write_jsonl(tmp_path / f"file{n}.jsonl", list(rows))
            result = import_files([path], clock=clock, acting_user="tester", notify=False)
            assert result.rejected == 0
        individual, _ = Individual.objects.get_or_create(pk=1)
        Membership.objects.get_or_create(person=Person.objects.get(source_id="P1"), defaults={"individual": individual})
        return individual.pk

    return run


def clause(individual: int, name: str, as_of: dt.datetime) -> list[FindingDraft]:
    return [d for d in evaluate_individual(individual, as_of=as_of).drafts if d.clause == name]


def test_a_report_graded_low_then_raised_is_a_finding_only_while_it_was_low(load: Any) -> None:
    individual = load([child(), report("MR1", T1, initial_risk="low")], [report("MR1", T2, initial_risk="high")])

    assert clause(individual, "M1", BEFORE) == []  # not sent yet
    between = clause(individual, "M1", BETWEEN)
    assert [d.cites for d in between] == [(("rms", "MR1"),)]
    assert "graded low" in between[0].reason
    assert clause(individual, "M1", AFTER) == []  # version 2 raised the grade


def test_versions_arriving_out_of_order_give_the_same_findings(load: Any) -> None:
    individual = load([child(), report("MR1", T2, initial_risk="high")], [report("MR1", T1, initial_risk="low")])

    assert [d.cites for d in clause(individual, "M1", BETWEEN)] == [(("rms", "MR1"),)]
    assert clause(individual, "M1", AFTER) == []


def test_an_end_time_added_later_is_not_known_before_it_was_sent(load: Any) -> None:
    individual = load(
        [child(), report("MR1", T1, initial_risk="high")],
        [report("MR1", T2, initial_risk="high", found_at="2026-01-06T10:00:00Z")],
    )
    # Between the versions the report is known, still open (the child not yet found), so the
    # return home interview clock (72 h after found_at) is not running.
    picture = load_picture(individual, BETWEEN)
    (report_then, role), *_ = picture.events("missing_report")
    assert (report_then.ref["id"], role, report_then.details.get("found_at")) == ("MR1", "missing_person", None)
    assert picture.missing_starts_of(individual) == [(report_then.occurred_at, report_then.pk)]
    assert clause(individual, "M6", BETWEEN) == []
    after = clause(individual, "M6", AFTER)
    assert [d.cites for d in after] == [(("rms", "MR1"),)]


def test_a_report_withdrawn_later_counts_until_it_was_withdrawn(load: Any) -> None:
    low = report("MR1", T1, initial_risk="low")
    individual = load([child(), low], [{**low, "recorded_at": T2, "deleted": True}])

    assert [d.cites for d in clause(individual, "M1", BETWEEN)] == [(("rms", "MR1"),)]
    assert clause(individual, "M1", AFTER) == []


def test_a_plan_whose_review_date_was_corrected_later_was_current_before(load: Any) -> None:
    reports = [report(f"MR{day}", T0, day=day, initial_risk="high") for day in (2, 3, 4)]
    individual = load(
        [child(), *reports, trigger_plan(T1, "2026-06-01")],
        [trigger_plan(T2, "2026-01-15")],
    )

    assert clause(individual, "M4", BETWEEN) == []  # the plan then was due in June
    after = clause(individual, "M4", AFTER)
    assert len(after) == 1 and "due for review on 2026-01-15" in after[0].reason
    assert after[0].cites[0] == ("rms", "TP1")


def test_evaluate_as_of_on_the_command_line_reads_the_version_then(load: Any, capsys: Any) -> None:
    individual = load([child(), report("MR1", T1, initial_risk="low")], [report("MR1", T2, initial_risk="high")])

    assert main(["evaluate", "--individual", str(individual), "--json", "--as-of", BETWEEN.isoformat()]) == 0
    between = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert main(["evaluate", "--individual", str(individual), "--json", "--as-of", AFTER.isoformat()]) == 0
    after = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert [f["cites"] for f in between if f["clause"] == "M1"] == [[{"source": "rms", "id": "MR1"}]]
    assert [f for f in after if f["clause"] == "M1"] == []


def test_a_date_of_birth_corrected_later_made_a_child_then(load: Any) -> None:
    first = {**child(), "recorded_at": T1}
    individual = load(
        [first, report("MR1", T1, initial_risk="low")], [{**first, "recorded_at": T2, "date_of_birth": "1990-04-01"}]
    )

    assert [d.cites for d in clause(individual, "M1", BETWEEN)] == [(("rms", "MR1"),)]
    assert clause(individual, "M1", AFTER) == []  # an adult, as corrected


def adult() -> dict[str, Any]:
    return record("person", "P2", T0, given_names="Adult", family_name="Example", date_of_birth="1980-02-02")


def cawn(recorded_at: str, **extra: Any) -> dict[str, Any]:
    return record("order", "O1", recorded_at, order_type="cawn", subject="P2", protected=["P1"], **extra)


def test_a_warning_marker_ended_later_was_in_force_before(load: Any) -> None:
    on_child = record("marker", "MC", T0, marker_type="cawn_child", person="P1", linked_person="P2")
    on_adult = record("marker", "MA", T1, marker_type="cawn_adult", person="P2", linked_person="P1")
    individual = load(
        [child(), adult(), cawn(T0), on_child, on_adult], [{**on_adult, "recorded_at": T2, "to": "2026-01-10"}]
    )

    assert clause(individual, "M7", BETWEEN) == []  # both markers in force then
    after = clause(individual, "M7", AFTER)
    assert [d.cites for d in after] == [(("rms", "O1"),)] and "the adult has no warning marker" in after[0].reason


def test_an_order_withdrawn_later_was_in_force_before(load: Any) -> None:
    individual = load([child(), adult(), cawn(T1)], [{**cawn(T2), "deleted": True}])

    assert [d.cites for d in clause(individual, "M7", BETWEEN)] == [(("rms", "O1"),)]
    assert clause(individual, "M7", AFTER) == []


def test_a_relationship_retyped_later_reads_as_it_was(load: Any) -> None:
    link = record("relationship", "R1", T1, rel_type="boyfriend_girlfriend", person_a="P1", person_b="P2")
    individual = load([child(), adult(), link], [{**link, "recorded_at": T2, "rel_type": "sibling_of"}])

    def types(as_of: dt.datetime) -> list[str]:
        return [rel.rel_type for rel, _other in load_picture(individual, as_of).relationships()]

    assert (types(BEFORE), types(BETWEEN), types(AFTER)) == ([], ["boyfriend_girlfriend"], ["sibling_of"])


@pytest.mark.slow
def test_a_county_sent_again_later_gives_the_same_findings_as_of_before(tmp_path: Path, clock: FixedClock) -> None:
    county = tmp_path / "county.jsonl"
    generate(make_config(children=150, years=1, seed=11), county)
    assert import_files([county], clock=clock, notify=False).rejected == 0
    link_all()
    ids = list(Individual.objects.filter(retired_at__isnull=True).values_list("pk", flat=True))
    end = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)

    def findings() -> set[tuple[Any, ...]]:
        return {
            (a.individual_id, d.clause, d.aspect, d.key, d.reason, d.cites, d.due_by)
            for a in evaluate_individuals(ids, as_of=end)
            for d in a.drafts
        }

    before = findings()
    resent = tmp_path / "resent.jsonl"
    with county.open(encoding="utf-8") as source, resent.open("w", encoding="utf-8") as target:
        for text in source:
            target.write(json.dumps({**json.loads(text), "recorded_at": "2026-03-01T23:00:00+00:00"}) + "\n")
    assert import_files([resent], clock=clock, notify=False).rejected == 0

    # Every record is now newer than `end`: each is read from the version it replaced.
    assert not any(m.live.filter(recorded_at__lte=end).exists() for m in MODELS_BY_KIND.values())
    assert len(before) > 50
    assert findings() == before


def test_times_read_from_a_version_are_the_times_the_stored_record_gives(load: Any) -> None:
    first = {**report("MR1", T1, initial_risk="high"), "occurred_at": "2026-01-04T21:00:00+01:00"}
    individual = load([child(), first], [{**first, "recorded_at": T2, "summary": "Seen at the station."}])

    (then, _), *_ = load_picture(individual, BETWEEN).events("missing_report")
    (now, _), *_ = load_picture(individual, AFTER).events("missing_report")

    assert then.occurred_at == now.occurred_at and str(then.occurred_at) == str(now.occurred_at)
