"""The MASH workspace's services end to end: a referral raised with the ARTHUR prompt and DASH
(a versioned `safetynet` record through the capture service), triage against the policy's
minimum grade with a research record per system, H1-H3 closing when the work is recorded, a
strategy discussion called, the officer told in the app and by email, the MARAC agenda, and bad
input refused with the field before anything is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from safetynet.lib.clock import FixedClock
from safetynet.mash import grading, triage
from safetynet.mash import services as referrals
from safetynet.meetings import services as meetings
from safetynet.records.models import Event, RecordVersion
from safetynet.risk.models import Finding
from safetynet.risk.rules.mash import amber_by_concern
from safetynet.risk.services import refresh_findings
from safetynet.work.models import Notification, Task
from tests.world import AccessWorld, sign_in

ARTHUR = {
    "children_present": True,
    "review_risk": "Mother injured; child was in the next room.",
    "spoke_to_child": True,
    "how_they_appear": "Quiet and watchful.",
    "wishes_feelings": "Wants to stay with her mother.",
    "child_words": "I hid under the bed when they were shouting.",
}
RESEARCH = [
    triage.Research("police_systems", "One earlier domestic abuse incident at the address."),
    triage.Research("local_authority", "Nothing held."),
]


def _raise(world: AccessWorld, ids: dict[str, int], clock: FixedClock, **extra: Any) -> Event:
    new = referrals.NewReferral(
        child=ids["new"],
        concerns=extra.pop("concerns", ["domestic_abuse"]),
        what_happened="Police attended a domestic abuse incident; the child was present.",
        arthur=ARTHUR,
        ethnicity="White British",
        bwv_reference="BWV-2026-0042",
        from_event=ids["incident"],
        **extra,
    )
    return referrals.raise_referral(new, acting_user=world.users["response_officer"], clock=clock)


def _open(clause: str, individual: int) -> list[Finding]:
    return list(Finding.objects.filter(clause=clause, individual_id=individual, state__in=("open", "acknowledged")))


def test_a_referral_is_a_versioned_record_with_arthur_and_an_open_h1_until_triaged(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        referral = _raise(access_world, mash, clock)
    d = referral.details
    assert d["arthur"]["child_words"].startswith("I hid") and d["bwv_reference"] == "BWV-2026-0042"
    assert d["referrer"]["username"] == access_world.users["response_officer"].username
    assert [e.source_id for e in referral.linked_events.all()] == ["MI-DA1"]
    assert _open("H1", mash["new"]), "an untriaged referral runs on the red clock"
    clock.advance(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        done = triage.triage(
            referral.pk, grade="amber", research=RESEARCH, acting_user=access_world.users["mash_officer"], clock=clock
        )
    assert done.details["triage"]["research"] == ["police_systems", "local_authority"]
    assert done.details["triage"]["research_records"][0]["checked_by"]["role"] == "mash_officer"
    assert RecordVersion.objects.filter(kind="event", record_id=referral.pk).count() == 1
    assert not _open("H1", mash["new"]) and not _open("H2", mash["new"])


def test_grading_below_the_minimum_needs_a_rationale_that_does_not_blame_the_child(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock
) -> None:
    referral = _raise(access_world, mash, clock, concerns=["online", "sexual"])
    minimum = grading.minimum_grade(mash["new"], referral.occurred_at, ["online", "sexual"])  # type: ignore[arg-type]
    assert minimum.grade == "amber" and "online sexual abuse" in minimum.why
    officer = access_world.users["mash_officer"]
    clock.advance(minutes=5)
    with pytest.raises(referrals.ReferralRefused) as refused:
        triage.triage(referral.pk, grade="green", research=RESEARCH, acting_user=officer, clock=clock)
    assert refused.value.field == "rationale" and "at least amber" in refused.value.expected
    with pytest.raises(referrals.ReferralRefused) as refused:
        triage.triage(
            referral.pk,
            grade="green",
            research=RESEARCH,
            rationale="She is putting herself at risk by talking to adults online.",
            acting_user=officer,
            clock=clock,
        )
    assert refused.value.field == "rationale" and "blame" in refused.value.expected
    assert "triage" not in Event.live.get(pk=referral.pk).details, "nothing half-saved"
    done = triage.triage(
        referral.pk,
        grade="green",
        research=RESEARCH,
        rationale="The images were removed and the school and parents are already acting on it.",
        acting_user=officer,
        clock=clock,
    )
    assert done.details["triage"]["minimum_grade"] == "amber"


def test_a_fifth_referral_needs_red_and_h3_closes_when_it_is_graded_red(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    officer = access_world.users["mash_officer"]
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            earlier = _raise(access_world, mash, clock)
            clock.advance(minutes=5)
            triage.triage(earlier.pk, grade="red", research=RESEARCH, acting_user=officer, clock=clock)
        clock.advance(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        referral = _raise(access_world, mash, clock)
    minimum = grading.minimum_grade(mash["new"], referral.occurred_at, ["domestic_abuse"])  # type: ignore[arg-type]
    assert minimum.grade == "red" and minimum.count >= 5
    clock.advance(minutes=5)
    with pytest.raises(referrals.ReferralRefused):
        triage.triage(referral.pk, grade="amber", research=RESEARCH, acting_user=officer, clock=clock)
    with django_capture_on_commit_callbacks(execute=True):
        triage.triage(referral.pk, grade="red", research=RESEARCH, acting_user=officer, clock=clock)
    assert not _open("H3", mash["new"])


def test_a_strategy_discussion_is_called_and_the_officer_is_told_in_the_app_and_by_email(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    officer = access_world.users["mash_officer"]
    referrer = access_world.users["response_officer"]
    referrer.email = "response.officer@example.invalid"
    referrer.save()
    referral = _raise(access_world, mash, clock)
    clock.advance(minutes=30)
    triage.triage(referral.pk, grade="red", research=RESEARCH, acting_user=officer, clock=clock)
    clock.advance(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        stored, meeting = triage.decide(referral.pk, decision="strategy_discussion", acting_user=officer, clock=clock)
    assert meeting is not None and meeting.details["meeting_type"] == "strategy_discussion"
    assert meeting.details["trigger"] == {"source": "safetynet", "id": referral.source_id}
    assert stored.details["triage"]["strategy_discussion"]["id"] == meeting.source_id
    assert "graded red" in stored.details["feedback"]["text"]
    note = Notification.objects.get(user=access_world.users["response_officer"])
    assert note.kind == "referral_feedback" and note.link == f"/mash/referrals/{referral.pk}/"
    assert [m.to for m in mail.outbox] == [[referrer.email]]
    assert "A referral you raised was triaged" in mail.outbox[0].body and "Inventedfamily" not in mail.outbox[0].body


def test_no_further_action_needs_a_rationale_and_a_decision_needs_triage_first(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock
) -> None:
    officer = access_world.users["mash_officer"]
    referral = _raise(access_world, mash, clock)
    with pytest.raises(referrals.ReferralRefused) as refused:
        triage.decide(referral.pk, decision="no_further_action", rationale="x" * 30, acting_user=officer, clock=clock)
    assert refused.value.field == "referral"
    clock.advance(minutes=5)
    triage.triage(referral.pk, grade="green", research=RESEARCH, acting_user=officer, clock=clock)
    clock.advance(minutes=5)
    with pytest.raises(referrals.ReferralRefused) as refused:
        triage.decide(referral.pk, decision="no_further_action", acting_user=officer, clock=clock)
    assert refused.value.field == "decision_rationale"
    with pytest.raises(referrals.ReferralRefused) as refused:
        triage.decide(referral.pk, decision="maybe", acting_user=officer, clock=clock)
    assert refused.value.field == "decision"


def test_a_dash_score_of_14_puts_the_child_on_the_next_marac_agenda(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock
) -> None:
    marac = meetings.schedule(
        acting_user=access_world.users["public_protection_officer"],
        meeting_type="marac",
        at=clock.now() + dt.timedelta(days=3),
        agenda=[meetings.AgendaEntry(mash["victim"], "Victim", "", "victim")],
        victim=mash["victim"],
        clock=clock,
    )
    clock.advance(minutes=1)
    referral = _raise(access_world, mash, clock, dash_answers={str(n): n <= 15 for n in range(1, 28)})
    assert referral.details["dash"]["score"] == 15
    assert referral.details["marac_criteria"] == ["DASH score 15 (14 or more)"]
    assert referral.details["marac"]["id"] == marac.source_id
    agenda = Event.live.get(pk=marac.pk).details["agenda"]
    assert any(i["person"]["id"] == "MC2" and "DASH score 15" in i["reason"] for i in agenda)


def test_bad_referrals_are_refused_naming_the_field_and_nothing_is_saved(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock
) -> None:
    officer = access_world.users["response_officer"]
    cases = [
        (mash["new"], [], "concern"),
        (None, ["neglect"], "child"),
        (mash["new"], ["hunch"], "concern"),
    ]
    for child, concerns, field in cases:
        new = referrals.NewReferral(child=child, concerns=concerns, what_happened="Seen alone at night in the park.")
        with pytest.raises(referrals.ReferralRefused) as refused:
            referrals.raise_referral(new, acting_user=officer, clock=clock)
        assert refused.value.field == field
    new = referrals.NewReferral(
        child=mash["new"], concerns=["neglect"], what_happened="Seen alone.", dash_answers={"1": True}
    )
    with pytest.raises(referrals.ReferralRefused) as refused:
        referrals.raise_referral(new, acting_user=officer, clock=clock)
    assert refused.value.field == "dash"
    with pytest.raises(referrals.NotYourReferral):
        referrals.raise_referral(
            referrals.NewReferral(child=mash["new"], concerns=["neglect"], what_happened="Seen alone at night."),
            acting_user=access_world.users["partner_education"],
            clock=clock,
        )
    assert not Event.live.filter(event_type="referral", source="safetynet").exists()


def test_the_triage_task_page_leads_to_the_referral(
    mash: dict[str, int], access_world: AccessWorld, clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        referral = _raise(access_world, mash, clock)
    refresh_findings([mash["new"]], clock=clock)
    task = Task.objects.filter(clause="H1", individual_id=mash["new"]).first()
    assert task is not None
    page = sign_in(Client(), access_world.users["mash_officer"]).get(reverse("web:task", args=[task.pk]))
    link = reverse("web:mash_referral", args=[referral.pk])
    assert f'href="{link}" data-testid="act-here">Open the referral' in page.content.decode()


def test_h3_flags_online_sexual_abuse_graded_below_amber_even_with_a_rationale(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    """The engine, not only the workspace: the rule itself flags it (policy 2026.10,
    H3 `amber_concerns`); the rationale is the officer's answer to the finding, not its silence."""
    officer = access_world.users["mash_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        referral = _raise(access_world, mash, clock, concerns=["online", "sexual"])
        clock.advance(minutes=5)
        triage.triage(
            referral.pk,
            grade="green",
            research=RESEARCH,
            rationale="The images were removed and the school and parents are already acting on it.",
            acting_user=officer,
            clock=clock,
        )
    found = _open("H3", mash["new"])
    assert found and "online, sexual) ask at least amber" in str(found[0].reason) + str(found[0].detail)
    assert not amber_by_concern(["online"], ("online", "sexual")), "online harm alone asks no minimum"
    assert amber_by_concern(["Sexual", "online", "neglect"], ("online", "sexual"))
