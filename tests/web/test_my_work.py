"""My work: current findings for my role, earliest deadline first, overdue highlighted;
acknowledge; resolve with a rationale that the language check may refuse."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from safetynet.access.models import UserProfile
from safetynet.risk.models import Finding
from tests.web.findings import NOW, make_finding
from tests.web.world import World


@pytest.fixture
def findings(world: World) -> dict[str, Finding]:
    return {
        "later": make_finding(
            world.child, "M4", "high", "Repeat missing child without a trigger plan", owner_role="", due_in_hours=48
        ),
        "overdue": make_finding(
            world.child,
            "X1",
            "critical",
            "Found with an adult at a hotel; no strategy discussion",
            owner_role="",
            due_in_hours=-2,
        ),
        "closed": Finding.objects.create(
            fingerprint="closed",
            individual=world.markup_child,
            clause="H1",
            severity="low",
            reason="Old concern",
            owner_role="",
            state=Finding.State.CLOSED,
            policy_version="test",
            raised_at=NOW,
            evaluated_at=NOW,
        ),
    }


@pytest.fixture
def actor_client(officer_client: Client, world: World) -> Client:
    world.officer.user_permissions.add(Permission.objects.get(codename="change_finding"))  # type: ignore[attr-defined]
    return officer_client


def test_my_work_lists_current_findings_soonest_first_with_overdue_marked(
    actor_client: Client, findings: dict[str, Finding]
) -> None:
    html = actor_client.get("/work/").content.decode()
    table = html[html.index('data-testid="my-work"') :]
    assert table.index("Found with an adult") < table.index("Repeat missing child")
    assert "1 overdue." in html and "Overdue</strong>" in table
    assert "Old concern" not in html
    overdue = actor_client.get("/work/?show=overdue").content.decode()
    assert "Found with an adult" in overdue and "Repeat missing child" not in overdue


def test_acknowledging_keeps_the_finding_on_the_list(actor_client: Client, findings: dict[str, Finding]) -> None:
    response = actor_client.post(f"/work/findings/{findings['later'].pk}/acknowledge/")
    assert response.status_code == 302
    findings["later"].refresh_from_db()
    assert findings["later"].state == Finding.State.ACKNOWLEDGED
    html = actor_client.get("/work/").content.decode()
    assert "Acknowledged. It stays on the list" in html and "Repeat missing child" in html


def test_resolving_needs_a_rationale_and_refuses_blaming_words_with_a_suggestion(
    actor_client: Client, findings: dict[str, Finding]
) -> None:
    url = f"/work/findings/{findings['overdue'].pk}/resolve/"
    empty = actor_client.post(url, {"rationale": "  "})
    assert (
        empty.status_code == 400
        and '<a href="#id_rationale">Enter a rationale for resolving this</a>' in empty.content.decode()
    )
    typed = "She is a regular missing person and <b>will come back</b>"
    refused = actor_client.post(url, {"rationale": typed}).content.decode()
    assert "Do not write" in refused and "regular missing person" in refused and "Write instead:" in refused
    assert "&lt;b&gt;will come back&lt;/b&gt;" in refused  # what was typed is kept, as text
    findings["overdue"].refresh_from_db()
    assert findings["overdue"].state == Finding.State.OPEN
    done = actor_client.post(url, {"rationale": "Strategy discussion held; safety plan agreed with the carer."})
    assert done.status_code == 302
    findings["overdue"].refresh_from_db()
    assert findings["overdue"].state == Finding.State.RESOLVED
    assert "Found with an adult" not in actor_client.get("/work/").content.decode()


def test_a_user_who_may_not_act_sees_the_list_but_cannot_resolve(
    officer_client: Client, findings: dict[str, Finding]
) -> None:
    # A call handler has no resolve_task in the access matrix: the matrix refuses (403).
    UserProfile.objects.update(role="call_handler")
    html = officer_client.get("/work/").content.decode()
    assert "Found with an adult" in html and "Resolve" not in html.split('data-testid="my-work"')[1]
    assert officer_client.post(f"/work/findings/{findings['later'].pk}/resolve/", {"rationale": "x"}).status_code == 403
    assert officer_client.get("/work/findings/999999/resolve/").status_code == 403


def test_findings_show_on_the_person_page_and_in_search(
    officer_client: Client, world: World, findings: dict[str, Finding]
) -> None:
    person = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    section = person[person.index('data-testid="findings"') :]
    assert section.index("Found with an adult") < section.index("Repeat missing child")
    results = officer_client.get("/search/", {"name": "Kayleigh Testperson"}).content.decode()
    assert "Critical</strong> Found with an adult" in results
