"""Identity changes are in the access log (DPA 2018 s62: alteration, combination, erasure):
decisions, merges, unmerges, withdrawals by a source system and deleted accounts, each
written in the same transaction as the change, naming the records and the reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from safetynet.audit.models import Action, AuditEntry
from safetynet.audit.services import verify_chain
from safetynet.identity import services
from safetynet.identity.linking import link_persons
from safetynet.identity.models import Membership, PairDecision
from safetynet.identity.services import decide_pair, merge_individuals, unmerge
from safetynet.interchange.importer import import_files
from safetynet.lib.clock import FixedClock
from safetynet.reads.audit_log import entries_about
from safetynet.records.models import Person
from tests.identity.conftest import make_person


@pytest.fixture
def person_factory(db: Any) -> Callable[..., Person]:
    return make_person


def individual_of(person: Person) -> int:
    return Membership.objects.get(person=person).individual_id


def two_children(person_factory: Callable[..., Person], clock: FixedClock) -> tuple[Person, Person]:
    a = person_factory(given_names="Niamh", family_name="Fenwick")
    b = person_factory(given_names="Neve", family_name="Varley", date_of_birth="2009-09-09", postcode="BD1 1AA")
    link_persons([a.pk, b.pk], clock=clock)
    assert individual_of(a) != individual_of(b)
    return a, b


@pytest.mark.django_db(transaction=True)
def test_same_person_decision_is_logged_with_both_records_both_children_and_the_reason(
    person_factory: Callable[..., Person], clock: FixedClock
) -> None:
    reviewer = get_user_model().objects.create(username="mash")
    a, b = two_children(person_factory, clock)
    before = {individual_of(a), individual_of(b)}
    decision = decide_pair((a, b), True, acting_user=reviewer, reason="carer confirmed alias", clock=clock)

    entry = AuditEntry.objects.get(action=Action.DECISION)
    assert entry.actor_username == "mash"
    assert entry.object_type == "pair_decision" and entry.object_ids == [str(decision.pk)]
    assert set(entry.person_ids) == {a.pk, b.pk}
    assert before <= set(entry.individual_ids)
    assert entry.reason == "carer confirmed alias"
    assert entry.fields == sorted(["same_person", "individuals_merged"])
    assert entry.at == clock.now()
    # "Who has looked at / changed this child?" finds it from either child.
    assert entry in entries_about(individual_id=individual_of(a))
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_not_the_same_person_decision_that_splits_a_child_is_logged(
    person_factory: Callable[..., Person], clock: FixedClock
) -> None:
    reviewer = get_user_model().objects.create(username="inspector")
    a = person_factory(given_names="Ruby", family_name="Haigh")
    b = person_factory(given_names="Ruby", family_name="Haigh", source="csc")
    link_persons([a.pk, b.pk], clock=clock)
    joined = individual_of(a)
    assert joined == individual_of(b)
    decide_pair((a, b), False, acting_user=reviewer, reason="twins: different NHS numbers", clock=clock)

    entry = AuditEntry.objects.get(action=Action.DECISION)
    assert "not_same_person" in entry.fields and "individual_split" in entry.fields
    assert set(entry.person_ids) == {a.pk, b.pk}
    assert {joined, individual_of(a), individual_of(b)} <= set(entry.individual_ids)
    assert entry.reason == "twins: different NHS numbers"


@pytest.mark.django_db(transaction=True)
def test_merge_and_unmerge_are_logged_naming_the_individuals_records_and_reasons(
    person_factory: Callable[..., Person], clock: FixedClock
) -> None:
    officer = get_user_model().objects.create(username="mash2")
    a, b = two_children(person_factory, clock)
    first, second = individual_of(a), individual_of(b)

    change = merge_individuals(first, second, acting_user=officer, reason="school confirmed", clock=clock)
    merged = AuditEntry.objects.get(action=Action.MERGE)
    assert merged.object_type == "individual"
    assert merged.object_ids == [str(i) for i in sorted([first, second])]
    assert {first, second} <= set(merged.individual_ids)
    assert set(merged.person_ids) == {a.pk, b.pk}
    assert merged.reason == "school confirmed" and f"link_change={change.pk}" in merged.fields

    undo = unmerge(change, acting_user=officer, reason="confirmation was wrong", clock=clock)
    separated = AuditEntry.objects.get(action=Action.UNMERGE)
    assert separated.object_type == "link_change" and separated.object_ids == [str(change.pk)]
    assert {first, second} <= set(separated.individual_ids)
    assert set(separated.person_ids) == {a.pk, b.pk}
    assert separated.reason == "confirmation was wrong" and f"undo_change={undo.pk}" in separated.fields
    assert separated.seq > merged.seq and verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_a_refused_merge_writes_no_entry(person_factory: Callable[..., Person], clock: FixedClock) -> None:
    officer = get_user_model().objects.create(username="mash3")
    a, b = two_children(person_factory, clock)
    decide_pair((a, b), False, acting_user=officer, reason="different children", clock=clock)
    logged = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        merge_individuals(individual_of(a), individual_of(b), acting_user=officer, reason="try anyway", clock=clock)
    with pytest.raises(ValidationError):
        decide_pair((a, b), True, acting_user=officer, reason="", clock=clock)
    assert AuditEntry.objects.count() == logged


@pytest.mark.django_db(transaction=True)
def test_the_entry_and_the_change_commit_or_fail_together(
    person_factory: Callable[..., Person], clock: FixedClock
) -> None:
    officer = get_user_model().objects.create(username="mash4")
    a, b = two_children(person_factory, clock)
    first, second = individual_of(a), individual_of(b)

    # The log cannot be written: the decision and the merge are not made either.
    with mock.patch.object(services, "record_audit", side_effect=RuntimeError("log unavailable")):
        with pytest.raises(RuntimeError):
            decide_pair((a, b), True, acting_user=officer, reason="alias", clock=clock)
        with pytest.raises(RuntimeError):
            merge_individuals(first, second, acting_user=officer, reason="alias", clock=clock)
    assert not PairDecision.objects.exists()
    assert individual_of(a) != individual_of(b)

    # The change fails after its entry was written: the entry is rolled back with it.
    with mock.patch.object(services, "send_changed", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            merge_individuals(first, second, acting_user=officer, reason="alias", clock=clock)
    assert not AuditEntry.objects.filter(action=Action.MERGE).exists()
    assert individual_of(a) != individual_of(b)
    assert verify_chain().ok


def _line(**fields: Any) -> str:
    base = {"kind": "person", "source": "csc", "id": "C1", "given_names": "Invented", "family_name": "Withdrawn"}
    base.update(fields)
    return json.dumps(base) + "\n"


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_by_the_source_system_is_logged_as_erasure_naming_the_record(
    tmp_path: Path, clock: FixedClock
) -> None:
    first = tmp_path / "first.jsonl"
    first.write_text(_line(recorded_at="2026-01-05T12:00:00+00:00"), encoding="utf-8")
    import_files([first], notify=False, clock=clock)
    assert not AuditEntry.objects.filter(action=Action.ERASURE).exists()
    person = Person.objects.get(source="csc", source_id="C1")

    withdraw = tmp_path / "withdraw.jsonl"
    withdraw.write_text(_line(recorded_at="2026-02-05T12:00:00+00:00", deleted=True), encoding="utf-8")
    result = import_files([withdraw], notify=False, clock=clock)
    entry = AuditEntry.objects.get(action=Action.ERASURE)
    assert entry.object_ids == ["person:csc:C1"] and entry.person_ids == [person.pk]
    assert entry.fields == ["withdrawn"] and f"import batch {result.batch_id}" in entry.reason
    assert entry.actor_username.startswith("import:")

    # The same withdrawal again changes nothing and logs nothing more.
    import_files([withdraw], notify=False, clock=clock)
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 1
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_is_logged_as_erasure_and_a_failed_delete_logs_nothing(admin_client: Any) -> None:
    leaver = get_user_model().objects.create(username="leaver")
    response = admin_client.post(f"/admin/auth/user/{leaver.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.ERASURE)
    assert entry.object_type == "user" and entry.object_ids == [str(leaver.pk)]
    assert entry.actor_username == "admin"

    # A user who made a decision cannot be deleted (kept forever): no erasure entry.
    reviewer = get_user_model().objects.create(username="reviewer")
    a = Person.objects.create(source="rms", source_id="X1", recorded_at="2026-01-05T12:00:00Z", payload={})
    b = Person.objects.create(source="rms", source_id="X2", recorded_at="2026-01-05T12:00:00Z", payload={})
    PairDecision.objects.create(
        person_a=a, person_b=b, same=False, reason="x", decided_by=reviewer, decided_at=a.recorded_at
    )
    with pytest.raises(ProtectedError):
        reviewer.delete()
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 1
