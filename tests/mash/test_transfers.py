"""Transfers (#20): "forward to the allocated worker or early help" is a transfer the receiving
team (children's social care, `receive_transfers`) accepts or returns with a reason, like
Primero's; while pending or accepted the team sees the referral and its child (one access rule,
reads.access.transferred_children); a returned transfer goes back to the MASH inbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from safetynet.lib.clock import FixedClock
from safetynet.mash import services as referrals
from safetynet.mash import transfers, triage
from safetynet.reads import access
from safetynet.reads import mash as reads
from safetynet.records.models import Event
from tests.mash.test_mash import RESEARCH, _raise
from tests.world import AccessWorld, sign_in

pytestmark = pytest.mark.django_db

REASON = "An early help assessment is already open with the family's own worker."


def _forwarded(world: AccessWorld, ids: dict[str, int], clock: FixedClock) -> Event:
    officer = world.users["mash_officer"]
    referral = _raise(world, ids, clock)
    clock.advance(minutes=20)
    triage.triage(referral.pk, grade="green", research=RESEARCH, acting_user=officer, clock=clock)
    stored, _ = triage.decide(
        referral.pk, decision="forward", forward_to="early_help", rationale="", acting_user=officer, clock=clock
    )
    return stored


def test_the_receiving_team_sees_the_child_only_while_the_transfer_stands_and_returns_it(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock
) -> None:
    worker = access_world.users["partner_social_worker"]
    referral = _forwarded(access_world, mash, clock)
    assert referral.details["transfer"]["state"] == "pending" and referral.details["transfer"]["to"] == "early_help"
    assert [r.referral.pk for r in reads.transfers(worker, clock.now())] == [referral.pk]
    assert access.visible_individual_ids(worker, [mash["new"]]) == [mash["new"]]
    child_record = referral.participations.get(role="subject").person_id
    assert child_record in {p["person_id"] for p in access.transferred_children()}
    assert reads.inbox(access_world.users["mash_officer"], clock.now(), "triaged").rows == []

    with pytest.raises(referrals.ReferralRefused) as refused:
        transfers.return_transfer(referral.pk, "too short", acting_user=worker, clock=clock)
    assert refused.value.field == "reason"
    with pytest.raises(referrals.NotYourReferral):
        transfers.accept(referral.pk, acting_user=access_world.users["partner_health"], clock=clock)
    clock.advance(hours=2)
    back = transfers.return_transfer(referral.pk, REASON, acting_user=worker, clock=clock)
    assert "transfer" not in back.details and back.details["transfers_returned"][0]["reason"] == REASON
    assert "decision" not in back.details["triage"]
    inbox = reads.inbox(access_world.users["mash_officer"], clock.now(), "triaged")
    assert [r.referral.pk for r in inbox.rows] == [referral.pk], "back in the MASH inbox awaiting a decision"
    assert reads.transfers(worker, clock.now()) == []
    assert child_record not in {p["person_id"] for p in access.transferred_children()}
    with pytest.raises(referrals.ReferralRefused):
        transfers.accept(referral.pk, acting_user=worker, clock=clock)
    again, _ = triage.decide(
        referral.pk,
        decision="forward",
        forward_to="allocated_worker",
        acting_user=access_world.users["mash_officer"],
        clock=clock,
    )
    accepted = transfers.accept(again.pk, acting_user=worker, clock=clock)
    assert accepted.details["transfer"]["state"] == "accepted"
    assert accepted.details["transfer"]["answered_by"]["username"] == worker.username


def test_screens_and_rest(access_world: AccessWorld, mash: dict[str, int], clock: FixedClock) -> None:
    referral = _forwarded(access_world, mash, clock)
    worker = sign_in(Client(), access_world.users["partner_social_worker"])
    page = worker.get(reverse("web:mash_transfers")).content.decode()
    assert page.count('data-testid="transfer"') == 1 and 'data-testid="accept"' in page
    assert reverse("web:mash_transfers") in page, "the Transfers menu item"
    listed = worker.get("/api/v1/mash/transfers").json()
    assert [(t["id"], t["to"], t["state"]) for t in listed] == [(referral.pk, "early_help", "pending")]
    refused = worker.post(
        f"/api/v1/mash/transfers/{referral.pk}/return", {"reason": "no"}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["detail"].startswith("reason:")
    assert worker.post(reverse("web:mash_transfer_accept", args=[referral.pk])).status_code == 302
    assert "Accepted" in worker.get(reverse("web:mash_transfers")).content.decode()
    assert worker.post(f"/api/v1/mash/transfers/{referral.pk}/accept").status_code == 422
    police = sign_in(Client(), access_world.users["sergeant"])
    assert police.get(reverse("web:mash_transfers")).status_code == 403
    assert police.get("/api/v1/mash/transfers").status_code == 403


def test_a_return_over_rest_puts_it_back_in_the_inbox(
    access_world: AccessWorld, mash: dict[str, int], clock: FixedClock, settings: Any
) -> None:
    settings.SAFETYNET_CLOCK = clock
    referral = _forwarded(access_world, mash, clock)
    worker = sign_in(Client(), access_world.users["partner_social_worker"])
    answer = worker.post(
        f"/api/v1/mash/transfers/{referral.pk}/return", {"reason": REASON}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["state"] == "returned"
    mash_officer = sign_in(Client(), access_world.users["mash_officer"])
    inbox = mash_officer.get("/api/v1/mash/referrals?show=triaged").json()
    assert [r["id"] for r in inbox["referrals"]] == [referral.pk]
