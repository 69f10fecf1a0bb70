"""The missing workspace's two doors (screens and REST API) over the same services: the floor
and its facts before grading, a downgrade refused, the rationale's wording checked as it is
typed, a review, a line of enquiry from the picture's proposals and a generic one refused, the
child found with an adult (refused without the referral, then raised), the return home
interview by social care, a stale version refused (409), and roles kept to their part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safetynet.audit.models import AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.reads.missing_history import history
from safetynet.records.models import Event
from tests.missing.conftest import ADULT
from tests.world import AccessWorld

pytestmark = pytest.mark.django_db
JSON = "application/json"
RATIONALE = "Located by phone at her aunt's address, safe and well; officers attend within the hour."


@pytest.fixture
def clock() -> FixedClock:
    """The screens and the API run on the system clock: the child is built as of now."""
    return FixedClock(dt.datetime.now(dt.UTC))


def _report(client: Client, child: dict[str, int], risk: str, **extra: Any) -> Any:
    body = {
        "individual": child["child"],
        "last_seen_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        "missing_from": "care",
        "circumstances": "Left the home after tea.",
        "reported_by": "Home manager",
        "risk": risk,
        "ethnicity_self_defined": "W1",
        **extra,
    }
    return client.post("/api/v1/missing", body, content_type=JSON)


def test_an_episode_by_the_api_from_report_to_return_home_interview(
    client_for: Callable[[str], Client], child: dict[str, int], access_world: AccessWorld
) -> None:
    handler, sergeant = client_for("call_handler"), client_for("sergeant")
    floor = handler.get(f"/api/v1/missing/floor?individual={child['child']}").json()
    assert floor["floor"] == "high" and floor["episodes_90_days"] == 3
    refused = _report(handler, child, "medium")
    assert refused.status_code == 422 and refused.json()["detail"].startswith("risk:")
    assert _report(handler, child, "extreme").status_code == 422
    episode = _report(handler, child, "high").json()
    eid = episode["id"]
    assert any(p["person"] and "Adam Inventedolder" in p["person"]["text"] for p in episode["proposals"])
    blamed = sergeant.post(
        f"/api/v1/missing/{eid}/reviews",
        {"risk": "medium", "rationale": "She goes missing regularly, nothing new."},
        content_type=JSON,
    )
    assert blamed.status_code == 422 and "how often" in blamed.json()["detail"]
    assert (
        handler.post(
            f"/api/v1/missing/{eid}/reviews", {"risk": "high", "rationale": RATIONALE}, content_type=JSON
        ).status_code
        == 403
    )
    reviewed = sergeant.post(
        f"/api/v1/missing/{eid}/reviews",
        {"risk": "medium", "rationale": RATIONALE, "version": episode["version"]},
        content_type=JSON,
    )
    assert reviewed.status_code == 200 and reviewed.json()["grade"] == "medium"
    stale = sergeant.post(
        f"/api/v1/missing/{eid}/officer", {"officer": "PC 1", "version": episode["version"]}, content_type=JSON
    )
    assert stale.status_code == 409 and "someone else changed it" in stale.json()["detail"]
    generic = handler.post(f"/api/v1/missing/{eid}/lines", {"text": "Check addresses"}, content_type=JSON)
    assert generic.status_code == 422 and generic.json()["detail"].startswith("address:")
    lead = next(p for p in reviewed.json()["proposals"] if p["individual"] == child["adult"])
    lined = handler.post(
        f"/api/v1/missing/{eid}/lines",
        {"text": "Visit the boyfriend", "individual": lead["individual"], "location": lead["location"]},
        content_type=JSON,
    )
    assert lined.status_code == 200 and "1 Invented Road" in lined.json()["lines"][0]["place"]["text"]
    found = {"found_at": dt.datetime.now(dt.UTC).isoformat(), "found_by": "PC 2", "with_people": [child["adult"]]}
    no_referral = handler.post(f"/api/v1/missing/{eid}/found", found, content_type=JSON)
    assert no_referral.status_code == 422 and no_referral.json()["detail"].startswith("referral:")
    done = handler.post(
        f"/api/v1/missing/{eid}/found", {**found, "referral": "Found with an adult named in a CAWN."}, content_type=JSON
    )
    assert done.status_code == 200 and done.json()["details"]["safeguarding_referral"]
    assert done.json()["return_interview_due"]
    interview = {
        "completed_at": dt.datetime.now(dt.UTC).isoformat(),
        "outcome": "Mia spoke about Adam; strategy meeting requested.",
    }
    assert handler.post(f"/api/v1/missing/{eid}/return-interview", interview, content_type=JSON).status_code == 403
    rhi = client_for("partner_social_worker").post(
        f"/api/v1/missing/{eid}/return-interview", interview, content_type=JSON
    )
    assert rhi.status_code == 200 and rhi.json()["details"]["return_home_interview"]["outcome"]
    listed = client_for("missing_persons_coordinator").get("/api/v1/missing").json()
    assert any(r["individual"] == child["child"] and r["episodes_last_year"] == 4 for r in listed["repeat"])
    assert client_for("partner_health").get("/api/v1/missing").status_code == 403


def test_the_screens_show_the_floor_refuse_a_downgrade_and_check_the_wording(
    client_for: Callable[[str], Client], child: dict[str, int]
) -> None:
    handler = client_for("call_handler")
    listed = handler.get("/missing/?name=Mia Inventedlost")
    assert listed.status_code == 200 and b"Report missing" in listed.content
    form = handler.get(f"/missing/new/?individual={child['child']}")
    assert b"Policy floor: high" in form.content and b"3 time(s) in the last 90 days" in form.content
    now = dt.datetime.now(dt.UTC)
    post = {
        "last_seen_date": now.date().isoformat(),
        "last_seen_time": "00:00",
        "missing_from": "care",
        "reported_by": "Home manager",
        "circumstances": "Left the home after tea.",
        "ethnicity_self_defined": "W1",
        "risk": "medium",
    }
    refused = handler.post(f"/missing/new/?individual={child['child']}", post)
    assert b"the policy floor for a missing child" in refused.content
    assert not Event.live.filter(source="safetynet", event_type="missing_report").exists()
    made = handler.post(f"/missing/new/?individual={child['child']}", {**post, "risk": "high"})
    assert made.status_code == 302
    page = handler.get(made["Location"])
    assert b"Adam Inventedolder" in page.content and b"Add this line" in page.content
    check = handler.post("/missing/language/", {"rationale": "She is putting herself at risk with him."})
    assert b"Suggested wording" in check.content
    sergeant = client_for("sergeant")
    episode = Event.live.get(source="safetynet", event_type="missing_report")
    answer = sergeant.post(
        f"/missing/{episode.pk}/review/", {"risk": "medium", "rationale": "Because she always goes back to him."}
    )
    assert answer.status_code == 422 and b"how often the child goes missing" in answer.content
    ok = sergeant.post(f"/missing/{episode.pk}/review/", {"risk": "medium", "rationale": RATIONALE, "version": ""})
    assert ok.status_code == 302
    person = ADULT
    assert Event.live.get(pk=episode.pk).details["reviews"][0]["rationale"] == RATIONALE and person


def test_the_person_page_reports_missing_and_the_list_downloads_as_csv(
    client_for: Callable[[str], Client], child: dict[str, int]
) -> None:
    handler = client_for("call_handler")
    page = handler.get(f"/people/{child['child']}/").content.decode()
    assert f'href="/missing/new/?individual={child["child"]}" data-testid="report-missing-here"' in page
    coordinator = client_for("missing_persons_coordinator")
    listed = coordinator.get("/missing/").content.decode()
    assert (
        'data-testid="repeat-csv"' in listed
        and 'data-testid="repeat-csv"' not in handler.get("/missing/").content.decode()
    )
    repeat = coordinator.get("/missing/list.csv?list=repeat")
    assert repeat.status_code == 200 and repeat["Content-Type"].startswith("text/csv")
    rows = repeat.content.decode().splitlines()
    assert rows[2] == "Child,Child id,Episodes in 12 months,Missing now,Plan"
    assert rows[3].startswith(f"Mia Inventedlost,{child['child']},")
    exports = AuditEntry.objects.filter(action="export", object_type="missing_list")
    assert any(child["child"] in e.individual_ids for e in exports)
    assert handler.get("/missing/list.csv?list=repeat").status_code == 403


def test_a_childs_repeat_missing_history_counts_charts_and_says_where_she_is_found(
    client_for: Callable[[str], Client], child: dict[str, int], access_world: AccessWorld, clock: FixedClock
) -> None:
    found = history(access_world.users["missing_persons_coordinator"], child["child"], clock.now())
    assert (found.last_90_days, found.last_12_months, found.ever) == (3, 3, 3)
    assert found.most_found_at == [("Invented Hotel, Testtown", 2)]
    by_month = {m.month.isoformat(): m.episodes for m in found.months if m.episodes}
    started = [clock.now() - dt.timedelta(days=d) for d in (80, 50, 20)]  # the conftest's three episodes
    expected: dict[str, int] = {}
    for at in started:
        month = at.date().replace(day=1).isoformat()
        expected[month] = expected.get(month, 0) + 1
    assert by_month == expected
    peak = max(expected.values())
    assert {m.episodes: m.height for m in found.months if m.episodes} == {
        n: round(120 * n / peak) for n in expected.values()
    }

    page = client_for("missing_persons_coordinator").get(f"/missing/children/{child['child']}/").content.decode()
    assert page.count('data-testid="chart-bar"') == len(expected) == page.count('data-testid="month-row"')
    assert 'data-testid="count-ever">3<' in page and "Invented Hotel, Testtown: 2 times" in page
    assert client_for("partner_education").get(f"/missing/children/{child['child']}/").status_code == 403
