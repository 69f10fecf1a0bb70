"""The auditor's screens: the access log (filtered, paged), who has looked at a child (the same
answer as `safetynet audit report --person`), the chain's status, and each view of them logged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from safetynet.audit.models import Action, AuditEntry
from safetynet.audit.services import record_audit
from safetynet.cli.main import main
from safetynet.lib.clock import FixedClock
from tests.audit.test_chain import _drop_triggers, _raw
from tests.world import AccessWorld, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_screens(frozen_screens: None) -> None:
    pass


def _as(access_world: AccessWorld, role: str) -> Client:
    return sign_in(Client(), access_world.users[role])


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'data-testid="audit-row" data-seq="(\d+)"', html)]


def _looked_at_pupil(access_world: AccessWorld) -> None:
    """A sergeant and a teacher open the pupil's page; the sergeant searches."""
    sergeant, teacher = _as(access_world, "sergeant"), _as(access_world, "partner_education")
    assert sergeant.get(f"/people/{access_world.pupil.pk}/").status_code == 200
    assert teacher.get(f"/people/{access_world.pupil.pk}/").status_code == 200
    assert sergeant.get("/search/?name=Inventedchild").status_code == 200
    assert teacher.get(f"/people/{access_world.police_only.pk}/").status_code == 404
    assert teacher.get("/audit/").status_code == 403  # refused by the matrix: a `denied` entry


def test_the_auditor_lands_on_the_access_log(access_world: AccessWorld) -> None:
    auditor = _as(access_world, "auditor")
    response = auditor.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/audit/"
    assert 'href="/audit/"' in response.content.decode()  # in the service navigation


def test_only_roles_with_view_audit_open_the_audit_screens(access_world: AccessWorld) -> None:
    for role in ("sergeant", "analyst", "system_administrator", "partner_social_worker"):
        client = _as(access_world, role)
        for url in ("/audit/", "/audit/people/?person=1", "/audit/chain/"):
            assert client.get(url).status_code == 403, (role, url)
    auditor = _as(access_world, "auditor")
    for url in ("/audit/", "/audit/people/", "/audit/chain/"):
        assert auditor.get(url).status_code == 200, url


def test_the_access_log_lists_entries_newest_first_without_child_names(access_world: AccessWorld) -> None:
    _looked_at_pupil(access_world)
    html = _as(access_world, "auditor").get("/audit/").content.decode()
    seqs = _seqs(html)
    assert seqs == sorted(seqs, reverse=True) and seqs[0] == AuditEntry.objects.order_by("-seq").first().seq - 1
    assert "tester" in html and "Inventedchild" not in html and "Alexa" not in html


def test_the_access_log_filters_by_who_action_child_and_days(access_world: AccessWorld) -> None:
    _looked_at_pupil(access_world)
    teacher = access_world.users["partner_education"].get_username()
    auditor = _as(access_world, "auditor")

    def shown(query: str) -> list[AuditEntry]:
        response = auditor.get(f"/audit/?{query}")
        assert response.status_code == 200, response.content.decode()[:500]
        return list(AuditEntry.objects.filter(seq__in=_seqs(response.content.decode())))

    by_teacher = shown(f"who={teacher}")
    assert by_teacher and all(e.actor_username == teacher for e in by_teacher)
    searches = shown("action=search")
    assert searches and all(e.action == Action.SEARCH for e in searches)
    about_pupil = shown(f"person={access_world.pupil.pk}")
    assert about_pupil and all(access_world.pupil.pk in e.individual_ids for e in about_pupil)
    assert {e.actor_username for e in about_pupil if e.action == Action.VIEW} >= {teacher}
    by_record = shown("person=rms:P1")
    assert {e.seq for e in by_record} == {e.seq for e in about_pupil}
    refused = shown(f"who={teacher}&action=denied")
    assert refused and all(e.outcome == "denied" for e in refused)
    today = AuditEntry.objects.order_by("-seq").values_list("at", flat=True)[0].astimezone(dt.UTC).date()
    assert shown(f"date_from={today}&date_to={today}")
    assert shown(f"date_from={today + dt.timedelta(days=1)}") == []
    assert shown(f"date_to={today - dt.timedelta(days=1)}") == []


def test_bad_filters_answer_400_with_the_govuk_error_summary(access_world: AccessWorld) -> None:
    auditor = _as(access_world, "auditor")
    response = auditor.get("/audit/?person=nobody&date_from=2026-03-05&date_to=2026-03-01&action=rewrite")
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html
    assert "Enter an individual number, like 42, or a source record" in html
    assert "The to date must be the same as or after the from date" in html
    assert "Choose an action from the list" in html


def test_the_access_log_pages_fifty_at_a_time(access_world: AccessWorld, clock: FixedClock) -> None:
    for i in range(120):
        record_audit(acting_user=None, action=Action.VIEW, object_type="individual", object_ids=[i], clock=clock)
    auditor = _as(access_world, "auditor")
    total = AuditEntry.objects.count()  # the page's own entry is written after its query
    first = auditor.get("/audit/").content.decode()
    assert len(_seqs(first)) == 50 and f"{total} entries" in first and "Older entries" in first
    total = AuditEntry.objects.count()
    third = auditor.get("/audit/?page=3").content.decode()
    assert len(_seqs(third)) == total - 100 and "Newer entries" in third
    assert set(_seqs(first)).isdisjoint(_seqs(third))


def test_who_has_looked_gives_the_same_answer_as_the_audit_report_command(
    access_world: AccessWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    _looked_at_pupil(access_world)
    for ref in (str(access_world.pupil.pk), "rms:P1", "csc:C1"):
        assert main(["audit", "report", "--person", ref]) == 0
        cli = [int(s) for s in re.findall(r"  #(\d+)  ", capsys.readouterr().out)]
        html = _as(access_world, "auditor").get(f"/audit/people/?person={ref}").content.decode()
        assert _seqs(html) == cli and cli, ref
        assert f"{len(cli)} entries for {ref}" in html
    html = _as(access_world, "auditor").get("/audit/people/?person=rms:NOPE").content.decode()
    assert "Enter an individual number, like 42, or a source record" in html


def test_the_chain_status_says_intact_then_names_the_first_broken_entry(
    access_world: AccessWorld, guarded: None
) -> None:
    _looked_at_pupil(access_world)
    auditor = _as(access_world, "auditor")
    html = auditor.get("/audit/chain/").content.decode()
    assert "Chain intact" in html and f"entry {AuditEntry.objects.count() - 1}" in html
    _drop_triggers()
    _raw("UPDATE audit_auditentry SET actor_username = %s WHERE seq = %s", ["someone-else", 3])
    html = auditor.get("/audit/chain/").content.decode()
    assert "Chain broken" in html and 'data-testid="broken-seq">3<' in html


def test_looking_at_the_audit_screens_is_itself_in_the_access_log(access_world: AccessWorld) -> None:
    auditor = _as(access_world, "auditor")
    auditor.get("/audit/?action=view&who=tester")
    auditor.get(f"/audit/people/?person={access_world.pupil.pk}")
    auditor.get("/audit/chain/")
    mine = list(
        AuditEntry.objects.filter(
            actor_username=access_world.users["auditor"].get_username(), action=Action.VIEW
        ).order_by("seq")
    )
    assert [(e.action, e.object_type) for e in mine] == [
        (Action.VIEW, "access_log"),
        (Action.VIEW, "access_log_report"),
        (Action.VIEW, "access_log_chain"),
    ]
    assert mine[0].fields == ["access_log", "filter:action", "filter:who"]
    assert mine[1].object_ids == [str(access_world.pupil.pk)] and mine[1].individual_ids == []
