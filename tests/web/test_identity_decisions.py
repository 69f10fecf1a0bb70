"""The identity panel explains each link; reviewers decide "same" / "not the same person"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from safetynet.access.models import UserProfile
from safetynet.identity.models import Membership, PairDecision, ReviewPair
from tests.world import World


@pytest.fixture
def reviewer_client(client: Client, world: World) -> Client:
    # A MASH officer holds review_links in the access matrix (src/safetynet/access/matrix.yaml).
    UserProfile.objects.filter(user=world.officer).update(role="mash_officer")
    client.force_login(world.officer)
    return client


def _queue_pair_with_the_adult(world: World, anchor: int) -> None:
    """An open review item: the child's record against the adult's, the model unsure."""
    adult_record = Membership.objects.get(individual=world.adult).person_id
    ReviewPair.objects.create(
        person_a_id=min(anchor, adult_record),
        person_b_id=max(anchor, adult_record),
        reason=ReviewPair.Reason.UNCERTAIN,
        match_probability=0.7,
        match_weight=1.2,
        created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )


def _ids(world: World) -> tuple[int, int]:
    people = sorted(Membership.objects.filter(individual=world.child).values_list("person_id", flat=True))
    return people[0], people[1]


def test_identity_panel_explains_each_link_with_the_models_evidence(officer_client: Client, world: World) -> None:
    html = officer_client.get(f"/people/{world.child.pk}/").content.decode()
    assert "Compared with rms P1:" in html and "match probability" in html
    assert "+" in html.split('data-testid="identity"')[1]  # the waterfall's weights


def test_an_officer_without_the_reviewer_role_can_compare_but_not_decide(officer_client: Client, world: World) -> None:
    anchor, other = _ids(world)
    url = f"/people/{world.child.pk}/records/{other}/compare/{anchor}/"
    html = officer_client.get(url).content.decode()
    assert "What the linkage model found" in html and "Record decision" not in html
    assert officer_client.post(url, {"same": "no", "reason": "x"}).status_code == 404
    assert not PairDecision.objects.exists()


def test_a_reviewer_decides_not_the_same_person_and_the_record_leaves(reviewer_client: Client, world: World) -> None:
    anchor, other = _ids(world)
    url = f"/people/{world.child.pk}/records/{other}/compare/{anchor}/"
    response = reviewer_client.post(url, {"same": "no", "reason": "Different school confirmed by phone"})
    assert response.status_code == 302
    decision = PairDecision.objects.get()
    assert decision.same is False and decision.reason == "Different school confirmed by phone"
    assert (
        Membership.objects.get(person_id=other).individual_id != Membership.objects.get(person_id=anchor).individual_id
    )
    page = reviewer_client.get(response["Location"]).content.decode()
    assert "Recorded: not the same person" in page


def test_a_decision_without_a_choice_or_reason_shows_errors_and_keeps_the_text(
    reviewer_client: Client, world: World
) -> None:
    anchor, other = _ids(world)
    url = f"/people/{world.child.pk}/records/{other}/compare/{anchor}/"
    response = reviewer_client.post(url, {"reason": "  <b>typed</b> note  "})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_same_0">Select whether these records are about the same person</a>' in html
    assert "&lt;b&gt;typed&lt;/b&gt; note" in html
    empty = reviewer_client.post(url, {"same": "yes", "reason": "   "}).content.decode()
    assert "Enter why you decided this" in empty and not PairDecision.objects.exists()


def test_comparing_records_of_another_person_answers_404(reviewer_client: Client, world: World) -> None:
    anchor, _other = _ids(world)
    adult_record = Membership.objects.get(individual=world.adult).person_id
    assert reviewer_client.get(f"/people/{world.child.pk}/records/{adult_record}/compare/{anchor}/").status_code == 404
    assert reviewer_client.get(f"/people/{world.child.pk}/records/{anchor}/compare/999999/").status_code == 404


def test_the_review_queue_lists_open_pairs_for_reviewers_only(reviewer_client: Client, world: World) -> None:

    anchor, _other = _ids(world)
    _queue_pair_with_the_adult(world, anchor)
    html = reviewer_client.get("/review/").content.decode()
    assert "1 pair to review." in html and "The model is unsure" in html
    assert 'href="/review/"' in html  # in the navigation for reviewers
    person = reviewer_client.get(f"/people/{world.child.pk}/").content.decode()
    assert "Records that might be this person too" in person and "Darren" in person
    client = Client()
    client.force_login(type(world.officer).objects.create_user("pc.other", password="x" * 20))
    assert client.get("/review/").status_code == 403  # refused by the access matrix


def test_comparing_two_records_and_reading_the_review_queue_are_in_the_access_log(
    reviewer_client: Client, world: World
) -> None:
    from safetynet.audit.models import Action, AuditEntry

    anchor, other = _ids(world)
    reviewer_client.get(f"/people/{world.child.pk}/records/{other}/compare/{anchor}/")
    compared = AuditEntry.objects.get(action=Action.VIEW, object_type="identity_compare")
    assert sorted(compared.person_ids) == sorted([anchor, other]) and compared.individual_ids == [world.child.pk]
    assert "identifiers" in compared.fields

    _queue_pair_with_the_adult(world, anchor)
    reviewer_client.get("/review/")
    queue = AuditEntry.objects.get(action=Action.VIEW, object_type="identity_review_queue")
    assert sorted(queue.individual_ids) == sorted([world.child.pk, world.adult.pk])
