"""The protection workspace over REST: the same services and refusals as the services, under the
permission matrix (403 for a role without the permission, 422 naming the field)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client

from safetynet.lib.clock import FixedClock
from safetynet.work.models import PartnershipEscalation
from tests.world import AccessWorld

JSON = "application/json"
BASE = "/api/v1/protection"


def _at(hours_ago: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)).isoformat()


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{BASE}{path}", body, content_type=JSON)


def test_police_protection_through_the_api(
    access_world: AccessWorld, child: int, clock: FixedClock, client_for: Callable[[str], Client]
) -> None:
    officer, inspector = client_for("response_officer"), client_for("inspector")
    taken = _post(
        officer,
        "/police",
        {
            "individual": child,
            "started_at": _at(6),
            "grounds": "Found alone at night.",
            "place_of_safety": "Central police station",
            "place_is_police_station": True,
        },
    )
    assert taken.status_code == 200, taken.content
    pk = taken.json()["id"]
    assert taken.json()["limit_ends"]
    refused = _post(officer, f"/police/{pk}/designate", {"officer": access_world.users["sergeant"].pk, "at": _at(5)})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("designated_officer:")
    ok = _post(officer, f"/police/{pk}/designate", {"officer": access_world.users["inspector"].pk, "at": _at(5)})
    assert ok.json()["details"]["designated_officer"]["username"] == access_world.users["inspector"].username
    assert _post(officer, f"/police/{pk}/accommodation", {"at": _at(5)}).status_code == 200
    assert _post(officer, f"/police/{pk}/accommodation/provided", {"at": _at(1)}).status_code == 403
    assert (
        _post(inspector, f"/police/{pk}/end", {"at": _at(0.1), "rationale": ""})
        .json()["detail"]
        .startswith("end_rationale:")
    )
    ended = _post(inspector, f"/police/{pk}/end", {"at": _at(0.1), "rationale": "Returned to a parent, assessed safe."})
    assert ended.json()["limit_ends"] is None
    assert officer.get(f"{BASE}/police/{pk}").json()["details"]["ended_at"]
    assert client_for("analyst").post(f"{BASE}/police", {}, content_type=JSON).status_code == 403


def test_a_child_in_custody_through_the_api(
    access_world: AccessWorld, child: int, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("custody_officer")
    booked = _post(
        officer,
        "/custody",
        {"individual": child, "arrested_at": _at(8), "arrived_at": _at(7.5), "authorised_at": _at(7.4)},
    )
    assert booked.status_code == 200, booked.content
    pk = booked.json()["id"]
    early = _post(officer, f"/custody/{pk}/reviews", {"at": _at(9), "child_present": True})
    assert early.status_code == 422 and early.json()["detail"].startswith("at:")
    assert _post(officer, f"/custody/{pk}/reviews", {"at": _at(2), "child_present": True}).status_code == 200
    assert _post(officer, f"/custody/{pk}/charge", {"at": _at(1), "bail_refused": True}).status_code == 200
    assert _post(officer, f"/custody/{pk}/transfer", {"at": _at(0.9)}).status_code == 200
    assert (
        _post(officer, f"/custody/{pk}/transfer/answer", {"outcome": "not_provided", "at": _at(0.5)}).status_code == 403
    )
    certified = _post(officer, f"/custody/{pk}/certificate", {"reason": "No local authority bed offered tonight."})
    assert certified.json()["details"]["certificate_reason"].startswith("No local")
    escalated = _post(
        officer,
        f"/custody/{pk}/escalate",
        {"reason": "The s38(6) request was not answered: the child stays in a cell overnight."},
    )
    assert escalated.status_code == 200 and escalated.json()["owner_agency"] == "csc"
    assert PartnershipEscalation.objects.filter(refusal_id=pk).exists()
    listed = officer.get(BASE).json()
    assert [r["id"] for r in listed] == [pk]
