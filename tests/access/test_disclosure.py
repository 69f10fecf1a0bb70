"""The disclosure rule (#16 item 1): a finding is shown in full only to a viewer who may read
every record it cites, in full; anyone else sees "a concern held by <agency>" with the owner
to contact (or nothing, as the matrix says), on the person page, in search, the task screens
and the API alike. The probe found a teacher reading a finding that quoted a handling-C
intelligence record, a crime record id in the findings API that the task API withheld, and a
social worker reading self-harm indicators."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from safetynet.access.matrix import load
from safetynet.access.models import Restriction
from safetynet.audit.models import Action, AuditEntry
from safetynet.identity.models import Individual
from safetynet.lib.clock import FixedClock
from safetynet.reads import disclosure
from safetynet.reads.access import visible_events, visible_markers
from safetynet.records.models import Event, Marker
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from safetynet.work.services import sync_tasks
from tests.world import RECORDED, AccessWorld, invented_finding

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

# Each finding's reason carries a distinctive word, so a test can look for it in any response.
FINDINGS = {
    # clause: (owner role, the reason's secret word, cited (source, id))
    "D1": ("sergeant", "INCIDENTWORD", [("rms", "EV1")]),  # an incident: a school may read it
    "X1": ("exploitation_coordinator", "INTELWORD", [("rms", "EV2")]),  # intelligence text quoted
    "X3": ("exploitation_coordinator", "HANDLINGCWORD", [("rms", "EV3"), ("rms", "EV1")]),  # handling C
    "H1": ("mash_officer", "SELFHARMWORD", [("health", "MH1"), ("rms", "EV1")]),  # a health marker
    "C1": ("custody_officer", "CUSTODYWORD", [("rms", "EV4")]),  # custody (with a health key inside)
}


def _raise_findings(child: Individual) -> dict[str, Finding]:
    made = {}
    for clause, (owner, word, cites) in FINDINGS.items():
        made[clause] = invented_finding(
            child,
            clause,
            owner_role=owner,
            reason=f"Finding {word} drawn from the cited records.",
            at=AT,
            cites=cites,
            fingerprint=f"disclosure-{clause}",
        )
    sync_tasks(clock=FixedClock(AT))
    return made


@pytest.fixture
def findings(access_world: AccessWorld) -> dict[str, Finding]:
    return _raise_findings(access_world.pupil)


# role -> the clauses it may read in full
READS = {
    "sergeant": {"D1", "X1", "X3", "C1"},  # police without health details: not the self-harm marker
    "mash_officer": set(FINDINGS),
    "partner_social_worker": {"D1", "C1"},  # no intelligence text, no handling C, no health
    "partner_health": {"D1", "H1", "C1"},
    "partner_education": {"D1"},  # incidents only: no intelligence, custody or health
}


@pytest.mark.parametrize("role", sorted(READS))
def test_the_person_page_shows_only_findings_the_viewer_may_read_in_full(
    role: str, access_world: AccessWorld, findings: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    page = client_for(role).get(f"/people/{access_world.pupil.pk}/").content.decode()
    for clause, (_owner, word, _cites) in FINDINGS.items():
        assert (word in page) == (clause in READS[role]), (role, clause)
    withheld_owners = {FINDINGS[c][0] for c in set(FINDINGS) - READS[role]}
    if withheld_owners:
        assert 'data-testid="findings-held-elsewhere"' in page
        assert page.count('data-testid="held-elsewhere"') == len(withheld_owners)
    else:
        assert "held-elsewhere" not in page


def test_a_teacher_sees_who_holds_the_concerns_and_nothing_of_them(
    access_world: AccessWorld, findings: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    page = client_for("partner_education").get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert "A concern held by the police: contact the exploitation coordinator." in page
    assert "A concern held by the police: contact the MASH officer." in page
    assert "A concern held by the police: contact the custody officer." in page
    for secret in ("EV2", "EV3", "EV4", "MH1", "X1", "X3", "H1", "C1", "CUSTODYWORD"):
        assert f">{secret}<" not in page and f" {secret} " not in page


def test_the_findings_api_lists_no_withheld_finding_or_record_id(
    access_world: AccessWorld, findings: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("partner_education")
    listed = teacher.get(f"/api/v1/individuals/{access_world.pupil.pk}/findings?state=all").json()
    assert [f["clause"] for f in listed] == ["D1"]
    body = str(listed)
    for record in ("EV2", "EV3", "EV4", "MH1"):
        assert record not in body
    person = teacher.get(f"/api/v1/individuals/{access_world.pupil.pk}").json()
    assert sorted(person["concerns_held_elsewhere"], key=lambda h: h["owner_role"]) == [
        {"agency": "police", "owner_role": "custody_officer"},
        {"agency": "police", "owner_role": "exploitation_coordinator"},
        {"agency": "police", "owner_role": "mash_officer"},
    ]
    police = client_for("mash_officer").get(f"/api/v1/individuals/{access_world.pupil.pk}").json()
    assert police["concerns_held_elsewhere"] == []


def test_a_task_on_a_withheld_finding_answers_404_and_the_refusal_is_logged(
    access_world: AccessWorld, findings: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    social_worker = client_for("partner_social_worker")
    hidden = Task.objects.get(finding=findings["H1"])
    shown = Task.objects.get(finding=findings["D1"])
    missing = social_worker.get(f"/api/v1/tasks/{hidden.pk}")
    assert missing.status_code == 404
    assert social_worker.get(f"/work/tasks/{hidden.pk}/").status_code == 404
    assert social_worker.get(f"/api/v1/tasks/{shown.pk}").status_code == 200
    assert AuditEntry.objects.filter(action=Action.DENIED, object_type="task", object_ids=[str(hidden.pk)]).count() == 2
    # The same answer as a task that does not exist.
    assert social_worker.get("/api/v1/tasks/999999").json() == missing.json()


def test_a_supervisors_oversight_neither_lists_nor_counts_a_task_they_may_not_read(
    access_world: AccessWorld, findings: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    Task.objects.update(due_at=AT - dt.timedelta(hours=2))  # all late
    answer = client_for("sergeant").get("/work/oversight/")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "INTELWORD" in page and "SELFHARMWORD" not in page  # H1 cites a health marker
    assert answer.context["found"].overdue == len(FINDINGS) - 1


def test_a_task_handed_to_someone_is_theirs_to_read(
    access_world: AccessWorld, findings: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    social_worker = access_world.users["partner_social_worker"]
    Task.objects.filter(finding=findings["X1"]).update(assignee=social_worker)
    listed = client_for("partner_social_worker").get("/api/v1/tasks").json()
    assert [t["clause"] for t in listed] == ["X1"]


def test_search_results_show_the_top_finding_the_viewer_may_read(
    access_world: AccessWorld, findings: dict[str, Finding], client_for: Callable[[str], Client]
) -> None:
    page = client_for("partner_education").get("/search/?name=Alexa+Inventedchild").content.decode()
    assert "Inventedchild" in page and "INCIDENTWORD" in page
    for word in ("INTELWORD", "HANDLINGCWORD", "SELFHARMWORD", "CUSTODYWORD"):
        assert word not in page
    assert "A concern held by the police" in page


def test_a_role_the_matrix_says_hide_sees_no_notice(
    access_world: AccessWorld,
    findings: dict[str, Finding],
    client_for: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = disclosure.policy_of

    def hiding(user: Any) -> Any:
        policy = real(user)
        return dataclasses.replace(policy, withheld_findings="hide") if policy else policy

    monkeypatch.setattr(disclosure, "policy_of", hiding)
    page = client_for("partner_education").get(f"/people/{access_world.pupil.pk}/").content.decode()
    assert "INCIDENTWORD" in page and "held-elsewhere" not in page and "INTELWORD" not in page


def test_a_finding_citing_a_restricted_childs_event_is_withheld(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    invented_finding(
        access_world.police_only,
        "X2",
        owner_role="exploitation_coordinator",
        reason="Seen together RESTRICTEDWORD.",
        at=AT,
        cites=[("rms", "EV5"), ("rms", "EV6")],
        fingerprint="disclosure-restricted",
        due_in=None,
    )
    sergeant = client_for("sergeant").get(f"/people/{access_world.police_only.pk}/").content.decode()
    assert "RESTRICTEDWORD" not in sergeant and "contact the exploitation coordinator" in sergeant
    named = client_for("sergeant")
    named.force_login(access_world.named_sergeant)
    assert "RESTRICTEDWORD" in named.get(f"/people/{access_world.police_only.pk}/").content.decode()


def test_a_finding_citing_a_record_that_cannot_be_found_is_withheld_from_partners(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    invented_finding(
        access_world.pupil,
        "M1",
        owner_role="sergeant",
        reason="Graded GONEWORD.",
        at=AT,
        cites=[("rms", "NO-SUCH-RECORD")],
        fingerprint="disclosure-gone",
        due_in=None,
    )
    assert (
        "GONEWORD" not in client_for("partner_social_worker").get(f"/people/{access_world.pupil.pk}/").content.decode()
    )
    Restriction.objects.all().delete()  # so nothing narrows what a MASH officer reads
    assert "GONEWORD" in client_for("mash_officer").get(f"/people/{access_world.pupil.pk}/").content.decode()


# --- legacy 5x5x5 handling codes ---------------------------------------------------------


@pytest.mark.parametrize(("handling", "partners_see"), [(1, False), (2, True), (3, False), (4, False), (5, False)])
def test_legacy_handling_codes_that_forbid_sharing_keep_records_to_the_police(
    handling: int,
    partners_see: bool,
    access_world: AccessWorld,
    client_for: Callable[[str], Client],
) -> None:
    rms = access_world.incident.participations.get().person
    event = Event.objects.create(
        source="rms",
        source_id=f"LEG{handling}",
        recorded_at=RECORDED,
        payload={},
        event_type="intelligence",
        occurred_at=RECORDED,
        summary="",
        details={"grading": {"source": "B", "intelligence": 2, "handling": handling}},
    )
    event.participations.create(person=rms, role="subject")
    marker = Marker.objects.create(
        source="rms",
        source_id=f"LEGM{handling}",
        recorded_at=RECORDED,
        payload={},
        person=rms,
        marker_type=Marker.MarkerType.CSE_RISK,
        grading={"source": "B", "intelligence": 2, "handling": handling},
    )
    for role in ("partner_social_worker", "partner_health"):
        user = access_world.users[role]
        assert visible_events(user, Event.objects.filter(pk=event.pk)).exists() == partners_see, role
        assert visible_markers(user, Marker.objects.filter(pk=marker.pk)).exists() == partners_see, role
        answer = client_for(role).get(f"/events/{event.pk}/")
        assert answer.status_code == (200 if partners_see else 404), role
    police = access_world.users["sergeant"]
    assert visible_events(police, Event.objects.filter(pk=event.pk)).exists()
    assert visible_markers(police, Marker.objects.filter(pk=marker.pk)).exists()


def test_no_rule_reads_the_health_keys_inside_another_agencys_event() -> None:
    """The rule treats health keys inside (say) a custody record as a detail the event's page
    drops, not as substance that withholds a finding citing the record: it holds only while no
    rule builds a finding from them. A rule that needs one must make partly_withheld say so."""
    rules = Path(__file__).resolve().parents[2] / "src" / "safetynet" / "risk" / "rules"
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(rules.glob("*.py")))
    keys = [k for ks in load().content.health_detail_keys.values() for k in ks]
    assert keys and not [k for k in keys if k in source]


def test_the_role_given_the_work_reads_it_and_so_does_the_next_owner_up_the_chain(
    access_world: AccessWorld, client_for: Callable[[str], Client]
) -> None:
    """An exploitation coordinator's CSE finding may count a self-harm marker they could not
    otherwise read: the policy that gives them the work gives them what it was raised from."""
    finding = invented_finding(
        access_world.pupil,
        "X1",
        owner_role="exploitation_coordinator",
        reason="CSE indicators OWNERWORD.",
        at=AT,
        cites=[("health", "MH1"), ("rms", "MK1")],
        fingerprint="disclosure-owner",
    )
    sync_tasks(clock=FixedClock(AT))
    task = Task.objects.get(finding=finding)
    owner = client_for("exploitation_coordinator")
    assert "OWNERWORD" in owner.get("/work/").content.decode()
    assert owner.get(f"/api/v1/tasks/{task.pk}").status_code == 200
    sergeant = client_for("sergeant")
    assert sergeant.get(f"/api/v1/tasks/{task.pk}").status_code == 404
    assert "OWNERWORD" not in sergeant.get(f"/people/{access_world.pupil.pk}/").content.decode()
    Task.objects.filter(pk=task.pk).update(owner_role="sergeant", escalation_level=1)  # the deadline passed
    assert sergeant.get(f"/api/v1/tasks/{task.pk}").status_code == 200
    assert "OWNERWORD" in sergeant.get(f"/people/{access_world.pupil.pk}/").content.decode()
