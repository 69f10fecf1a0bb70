"""The viewer's restrictions are read once per web request (safetynet.lib.memo), and a change to
a restriction made during the request is seen by what the request reads next."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext

from safetynet.access.models import Restriction
from safetynet.lib.memo import RequestMemoMiddleware
from safetynet.reads.access import restricted_individual_ids
from tests.world import AccessWorld


def _in_a_request(read: Any) -> Any:
    found: dict[str, Any] = {}

    def view(_request: HttpRequest) -> HttpResponse:
        found["value"] = read()
        return HttpResponse()

    RequestMemoMiddleware(view)(HttpRequest())
    return found["value"]


def test_a_request_reads_the_restrictions_once(access_world: AccessWorld) -> None:
    sergeant = access_world.users["sergeant"]

    def twice() -> tuple[list[int], list[int], int]:
        with CaptureQueriesContext(connection) as captured:
            first, second = restricted_individual_ids(sergeant), restricted_individual_ids(sergeant)
        return first, second, len(captured)

    first, second, queries = _in_a_request(twice)
    assert first == second == [access_world.restricted.pk]
    assert queries == 1
    with CaptureQueriesContext(connection) as captured:  # outside a request: every call reads
        restricted_individual_ids(sergeant), restricted_individual_ids(sergeant)
    assert len(captured) == 2


def test_a_restriction_changed_during_the_request_is_seen(access_world: AccessWorld) -> None:
    sergeant = access_world.users["sergeant"]
    restriction = Restriction.objects.get(individual=access_world.restricted)

    def name_then_read() -> tuple[list[int], list[int], list[int]]:
        before = restricted_individual_ids(sergeant)
        restriction.named_users.add(sergeant)
        named = restricted_individual_ids(sergeant)
        restriction.delete()
        return before, named, restricted_individual_ids(access_world.users["inspector"])

    before, named, after_delete = _in_a_request(name_then_read)
    assert before == [access_world.restricted.pk]
    assert named == []
    assert after_delete == []
