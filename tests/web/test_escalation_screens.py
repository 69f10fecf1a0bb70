"""The escalation screens: "Raise an escalation" from a task (refused with the field and what
is expected, nothing lost), the list (raised by or for my agency, overdue first), the detail
page with the owner agency's answer form; other agencies see nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from safetynet.audit.models import Action, AuditEntry
from safetynet.lib.clock import FixedClock
from safetynet.work import escalations
from safetynet.work.models import PartnershipEscalation, Task
from tests.world import AccessWorld, open_task

REASON = "Strategy discussion needed today: social care has not attended the last two meetings."
ANSWER = "A social worker will attend the strategy discussion tomorrow at 10:00."


@pytest.fixture
def task(access_world: AccessWorld, clock: FixedClock) -> Task:
    return open_task(access_world.pupil, clause="X1", owner_role="sergeant", at=clock.now())


def test_the_task_page_offers_raise_an_escalation(client_for: Callable[[str], Client], task: Task) -> None:
    page = client_for("sergeant").get(f"/work/tasks/{task.pk}/").content.decode()
    assert f'href="/work/tasks/{task.pk}/escalate/"' in page and "Raise an escalation" in page
    assert "Raise an escalation" not in client_for("analyst").get(f"/work/tasks/{task.pk}/").content.decode()


def test_only_whoever_may_act_on_the_task_raises_an_escalation_from_it(
    client_for: Callable[[str], Client], task: Task
) -> None:
    social_worker = client_for("partner_social_worker")  # sees the sergeant's task, does not hold it
    assert "Raise an escalation" not in social_worker.get(f"/work/tasks/{task.pk}/").content.decode()
    refused = social_worker.post(f"/work/tasks/{task.pk}/escalate/", {"owner_agency": "health", "reason": REASON})
    assert refused.status_code == 403 and not PartnershipEscalation.objects.exists()
    assert AuditEntry.objects.filter(action=Action.DENIED, object_type="task").exists()


def test_raising_without_an_agency_is_refused_keeping_what_was_typed(
    client_for: Callable[[str], Client], task: Task
) -> None:
    sergeant = client_for("sergeant")
    form = sergeant.get(f"/work/tasks/{task.pk}/escalate/").content.decode()
    assert 'value="csc"' in form and 'value="police"' not in form  # another agency than your own
    refused = sergeant.post(f"/work/tasks/{task.pk}/escalate/", {"reason": REASON})
    page = refused.content.decode()
    assert refused.status_code == 400 and "There is a problem" in page
    assert "Select the agency that must answer the escalation" in page and REASON in page
    blaming = sergeant.post(
        f"/work/tasks/{task.pk}/escalate/",
        {"owner_agency": "csc", "reason": "She is putting herself at risk by going to the hotel again."},
    )
    assert blaming.status_code == 400 and "Expected wording that does not blame the child" in blaming.content.decode()
    assert not PartnershipEscalation.objects.exists()


def test_raise_then_answer_as_the_other_agency(client_for: Callable[[str], Client], task: Task) -> None:
    sergeant, social_worker = client_for("sergeant"), client_for("partner_social_worker")
    raised = sergeant.post(f"/work/tasks/{task.pk}/escalate/", {"owner_agency": "csc", "reason": REASON})
    escalation = PartnershipEscalation.objects.get()
    assert raised.status_code == 302 and raised["Location"] == f"/escalations/{escalation.pk}/"
    own = sergeant.get(raised["Location"]).content.decode()
    assert REASON in own and "Children&#x27;s social care answers this escalation" in own
    assert "Send answer" not in own
    listed = social_worker.get("/escalations/?show=for_us").content.decode()
    assert f"/escalations/{escalation.pk}/" in listed and "For my agency to answer (1)" in listed
    empty = social_worker.post(f"/escalations/{escalation.pk}/answer/", {"answer": ANSWER})
    assert empty.status_code == 400 and "Select whether your agency agrees" in empty.content.decode()
    assert ANSWER in empty.content.decode()
    done = social_worker.post(f"/escalations/{escalation.pk}/answer/", {"outcome": "agreed", "answer": ANSWER})
    assert done.status_code == 302
    page = sergeant.get(f"/escalations/{escalation.pk}/").content.decode()
    assert "Answered" in page and ANSWER in page and "Agreed: the work will be done" in page


def test_the_list_puts_overdue_first_and_other_agencies_see_nothing(
    client_for: Callable[[str], Client], access_world: AccessWorld, task: Task, clock: FixedClock
) -> None:
    sergeant = access_world.users["sergeant"]
    early = escalations.raise_escalation(
        acting_user=sergeant,
        owner_agency="csc",
        reason=REASON,
        task_id=task.pk,
        clock=FixedClock(clock.now() - dt.timedelta(days=7)),
    )
    fresh = escalations.raise_escalation(
        acting_user=sergeant, owner_agency="csc", reason=REASON + " Again.", task_id=task.pk, clock=clock
    )
    page = client_for("sergeant").get("/escalations/").content.decode()
    assert page.index(f"/escalations/{early.pk}/") < page.index(f"/escalations/{fresh.pk}/")
    assert "1 overdue." in page and "Overdue" in page
    nurse = client_for("partner_health")
    assert "No escalations here." in nurse.get("/escalations/").content.decode()
    assert nurse.get(f"/escalations/{early.pk}/").status_code == 404


def test_the_header_links_to_escalations_for_those_who_raise_them(client_for: Callable[[str], Client]) -> None:
    assert 'href="/escalations/"' in client_for("partner_social_worker").get("/work/").content.decode()
    assert 'href="/escalations/"' not in client_for("analyst").get("/dashboard/").content.decode()
