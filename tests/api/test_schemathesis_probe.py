"""The schemathesis probe (#16, "the probe in CI"): property-based requests generated from the
API's own OpenAPI document (the one served at /api/v1/openapi.json), sent in-process through the
Django WSGI application to the probe's world of restricted records (tests/access/probe_world.py),
as a MASH officer (sees most) and as a partner social worker, with an API key for the REST
ingest. Every answer must be no 5xx, a status code the document declares, its declared content
type and a body matching the declared schema.

Marked `schemathesis`: `make test` leaves it out (see pyproject's addopts); `.ci/run` and
`make probe` run it (`pytest -m schemathesis`). `SAFETYNET_PROBE_EXAMPLES` sets how many cases
each operation gets (default 100).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safetynet.access.apikeys import issue_key
from safetynet.api.api import api
from safetynet.identity.models import Individual
from safetynet.lib.clock import FixedClock
from safetynet.work.models import Task
from tests.access.probe_world import AT, build_probe_world
from tests.world import sign_in

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("SAFETYNET_PROBE_EXAMPLES", "100"))
CSRF = "probecsrfsecret0123456789abcdefg"  # 32 characters: Django's unmasked CSRF secret
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schemathesis.serializer("application/x-ndjson")
def _json_lines(context: Any, value: Any) -> bytes:
    """The REST ingest's JSON Lines body: the generated text as it is (anything else as JSON)."""
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8", "surrogatepass")


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Half the cases aim at records that exist (the world's children, tasks and records);
    the rest keep the generated ids, which mostly answer 404."""
    if not path_parameters:
        return st.just(path_parameters)
    known: dict[str, list[Any]] = {
        "individual_id": list(Individual.objects.values_list("pk", flat=True)),
        "task_id": list(Task.objects.values_list("pk", flat=True)),
        "source": ["rms", "csc", "health", "education"],
        "record_id": ["P1", "C1", "H1", "E1", "EV3", "MH1"],
    }
    aimed = {k: st.sampled_from(known[k]) if known.get(k) else st.just(v) for k, v in path_parameters.items()}
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(aimed))


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """Half the task assignments name a real user (the caller may take a task, or give it to
    their team), so assignment gets past its validation too."""
    if not isinstance(body, dict) or "assignee" not in body:
        return st.just(body)
    users = list(get_user_model().objects.values_list("pk", flat=True))
    return st.one_of(st.just(body), st.fixed_dictionaries({"assignee": st.sampled_from(users)}))


@pytest.fixture
def wsgi_in_the_test_transaction() -> Iterator[None]:
    """Requests through the WSGI handler share the test's database connection and transaction:
    Django would otherwise close the connection after each request (as its own test client avoids)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["mash_officer", "partner_social_worker"])
def caller(request: pytest.FixtureRequest, wsgi_in_the_test_transaction: None, settings: Any) -> dict[str, Any]:
    """The headers of a signed-in session of the role (second factor done), with a CSRF token,
    and a REST ingest key for the csc and education systems."""
    settings.SAFETYNET_CLOCK = FixedClock(AT)
    world = build_probe_world()
    client = sign_in(Client(), world.access.users[request.param])
    _key, raw = issue_key(name="probe", sources=["csc", "education"], created_by="probe", clock=FixedClock(AT))
    return {
        "headers": {"X-CSRFToken": CSRF, "Authorization": f"Bearer {raw}"},
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF},
    }


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_answers_as_its_openapi_document_says(case: Any, caller: dict[str, Any]) -> None:
    case.call_and_validate(headers=caller["headers"], cookies=caller["cookies"], checks=CHECKS)
