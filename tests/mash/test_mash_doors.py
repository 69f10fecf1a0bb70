"""The MASH workspace's two doors (screens and REST API) over the same services: an officer
raises a referral from an incident, the MASH officer triages it beside the child's history,
is refused below the minimum without a rationale, calls a strategy discussion, and the officer
reads the feedback; roles without the permission are refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event
from safetynet.work.models import Notification
from tests.world import AccessWorld

pytestmark = pytest.mark.django_db

RESEARCH = {
    "found_police_systems": "One earlier domestic abuse incident at the address.",
    "found_local_authority": "Nothing held.",
}


@pytest.fixture
def clock() -> FixedClock:
    """The screens and the API run on the system clock: the household is built as of now."""
    return FixedClock(dt.datetime.now(dt.UTC))


def _raise_on_screen(client: Client, mash: dict[str, int]) -> int:
    page = client.get(f"/mash/referrals/new/?from_event={mash['incident']}")
    assert page.status_code == 200 and "Nina Inventedfamily" in page.content.decode()
    answer = client.post(
        "/mash/referrals/new/",
        {
            "from_event": mash["incident"],
            "child": mash["new"],
            "concern": ["domestic_abuse"],
            "what_happened": "Police attended a domestic abuse incident; the child was present.",
            "children_present": "yes",
            "spoke_to_child": "yes",
            "child_words": "I hid under the bed.",
            "bwv_reference": "BWV-1",
            "dash_yes": "1, 2, 3",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    return Event.live.get(event_type="referral", source="safetynet").pk


def test_raise_triage_and_decide_on_the_screens(
    mash: dict[str, int], client_for: Callable[[str], Client], access_world: AccessWorld
) -> None:
    officer = client_for("response_officer")
    assert officer.post("/mash/referrals/new/", {"from_event": mash["incident"]}).status_code == 400
    referral = _raise_on_screen(officer, mash)
    page = officer.get(f"/mash/referrals/{referral}/")
    assert "I hid under the bed." in page.content.decode() and "Awaiting triage" in page.content.decode()
    assert officer.get("/mash/").status_code == 403

    mash_officer = client_for("mash_officer")
    inbox = mash_officer.get("/mash/").content.decode()
    assert "Nina Inventedfamily" in inbox and 'data-testid="count-awaiting">1<' in inbox
    page = mash_officer.get(f"/mash/referrals/{referral}/triage/").content.decode()
    assert "Domestic abuse incident at the family home." in page, "the history is beside the referral"
    answer = mash_officer.post(f"/mash/referrals/{referral}/triage/", {"grade": "purple", **RESEARCH})
    assert answer.status_code == 400
    answer = mash_officer.post(f"/mash/referrals/{referral}/triage/", {"grade": "amber", **RESEARCH})
    assert answer.status_code == 302
    answer = mash_officer.post(f"/mash/referrals/{referral}/decide/", {"decision": "no_further_action"})
    assert answer.status_code == 400 and "rationale" in answer.content.decode()
    answer = mash_officer.post(
        f"/mash/referrals/{referral}/decide/", {"decision": "strategy_discussion", "day": "", "time": ""}
    )
    assert answer.status_code == 302 and answer["Location"].startswith("/meetings/")

    page = officer.get(f"/mash/referrals/{referral}/").content.decode()
    assert "Triage complete: graded amber. Decision: strategy discussion." in page
    assert Notification.objects.filter(user=access_world.users["response_officer"], kind="referral_feedback").exists()


def test_the_api_raises_triages_refuses_below_the_minimum_and_decides(
    mash: dict[str, int], client_for: Callable[[str], Client]
) -> None:
    officer = client_for("response_officer")
    body = {
        "child": mash["new"],
        "concerns": ["online", "sexual"],
        "what_happened": "Images of the child were shared online by an adult.",
        "arthur": {"children_present": True, "child_words": "He said he would share them."},
    }
    refused = officer.post("/api/v1/mash/referrals/new", {**body, "concerns": []}, content_type="application/json")
    assert refused.status_code == 422 and "concern" in refused.json()["detail"]
    raised = officer.post("/api/v1/mash/referrals/new", body, content_type="application/json")
    assert raised.status_code == 200, raised.content
    referral = raised.json()["id"]
    assert raised.json()["arthur"]["child_words"] == "He said he would share them."

    mash_officer = client_for("mash_officer")
    inbox = mash_officer.get("/api/v1/mash/referrals").json()
    assert inbox["counts"]["awaiting"] == 1 and inbox["referrals"][0]["id"] == referral
    view = mash_officer.get(f"/api/v1/mash/referrals/{referral}/triage").json()
    assert view["minimum_grade"] == "amber" and view["history_count"] >= 1
    research = [{"system": "police_systems", "found": "Nothing held."}, {"system": "national", "found": "Nothing."}]
    low = mash_officer.post(
        f"/api/v1/mash/referrals/{referral}/triage",
        {"grade": "green", "research": research},
        content_type="application/json",
    )
    assert low.status_code == 422 and low.json()["detail"].startswith("rationale")
    ok = mash_officer.post(
        f"/api/v1/mash/referrals/{referral}/triage",
        {"grade": "amber", "research": research},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["referral"]["grade"] == "amber"
    decided = mash_officer.post(
        f"/api/v1/mash/referrals/{referral}/decision",
        {"decision": "forward", "forward_to": "early_help"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "forward"
    assert "early help" in officer.get(f"/api/v1/mash/referrals/{referral}").json()["feedback"]["text"]
    assert officer.get("/api/v1/mash/referrals").status_code == 403
    school = client_for("partner_education")
    assert school.post("/api/v1/mash/referrals/new", body, content_type="application/json").status_code == 403
