"""Generated from the URL resolver and matrix.yaml: every URL, for every role (and for nobody
signed in), is allowed or refused exactly as the matrix says, and no URL is missing from it.

URLs matched by a wildcard entry (the admin site's ~100 generated URLs, all needing
`administer`) are requested in full for nobody, the system administrator and a partner, and
through the admin index for every other role: the decision depends only on the permission,
and this keeps the run short."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from safetynet.access.matrix import PSEUDO_PERMISSIONS, load
from safetynet.access.roles import Role
from safetynet.records.models import Person
from tests.world import AccessWorld, build_access_world, sign_in


def _walk(
    patterns: list[Any], namespace: str = "", kwargs: frozenset[str] = frozenset()
) -> Iterator[tuple[str, frozenset[str]]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns, kwargs | _kwarg_names(p))
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", kwargs | _kwarg_names(p)


def _kwarg_names(p: URLPattern | URLResolver) -> frozenset[str]:
    regex = p.pattern.regex
    return frozenset(regex.groupindex)


def url_names() -> dict[str, frozenset[str]]:
    """Every named URL the project serves, with the names of its arguments."""
    return dict(_walk(get_resolver().url_patterns))


CANDIDATES = {"app_label": ["auth", "access", "audit", "identity", "records"]}


def sample_url(name: str, kwarg_names: frozenset[str], world: AccessWorld) -> str:
    """A concrete URL for `name`, using the world's records for ids a view will look up."""
    known: dict[str, list[Any]] = {
        "individual_id": [world.pupil.pk],
        "event_id": [world.incident.pk],
        "pk": [world.totp_device_pk],
        "person_id": [Person.objects.get(source="rms", source_id="P1").pk],
        "other_id": [Person.objects.get(source="csc", source_id="C1").pk],
    }
    choices = [known.get(k) or CANDIDATES.get(k) or ["1", 1] for k in sorted(kwarg_names)]
    for values in itertools.product(*choices):
        try:
            return reverse(name, kwargs=dict(zip(sorted(kwarg_names), values, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name} with {sorted(kwarg_names)}")


def test_every_url_is_in_the_permission_matrix() -> None:
    matrix = load()
    missing = sorted(name for name in url_names() if matrix.permission_for_url(name) is None)
    assert not missing, f"add these URL names to src/safetynet/access/matrix.yaml: {missing}"


def test_every_api_operation_is_in_the_matrix_with_its_urls_permission() -> None:
    from safetynet.api.api import api

    matrix = load()
    schema = api.get_openapi_schema()
    operations = {
        op["operationId"]: op for methods in schema["paths"].values() for op in methods.values() if "operationId" in op
    }
    assert operations, "the API lists no operations"
    missing = sorted(set(operations) - set(matrix.api))
    assert not missing, f"add these API operations to matrix.yaml's api section: {missing}"
    by_view = {
        op.view_func.__name__: op
        for _prefix, router in api._routers
        for path in router.path_operations.values()
        for op in path.operations
    }
    for operation_id, permission in matrix.api.items():
        view = next(name for name in by_view if operation_id.endswith(f"_{name}"))
        url_name = by_view[view].url_name
        assert matrix.permission_for_url(f"api:{url_name}") == permission, operation_id


def test_every_role_has_a_row_in_the_matrix() -> None:
    assert set(load().roles) == set(Role.values)


def _is_login_redirect(response: Any) -> bool:
    return (response.status_code == 302 and "/login/" in response["Location"]) or response.status_code == 401


FULL_WILDCARD_ROLES = {None, "system_administrator", "partner_education"}


def _verdicts(client: Client, world: AccessWorld, role: str | None) -> dict[str, str]:
    """What each URL answered: "denied" only when the matrix refused it (a 403 with its access-log
    entry); a view's own further refusal, such as the admin's per-model permissions, counts as
    allowed by the matrix."""
    from safetynet.audit.models import Action, AuditEntry

    out: dict[str, str] = {}
    explicit = load().urls
    for name, kwargs in sorted(url_names().items()):
        if name not in explicit and role not in FULL_WILDCARD_ROLES and name != "admin:index":
            continue
        before = AuditEntry.objects.filter(action=Action.DENIED).count()
        url = sample_url(name, kwargs, world)
        response = client.get(url)
        if response.status_code == 405 and explicit.get(name) == "api_key":  # the POST-only REST ingest
            response = client.post(url)
        if response.status_code == 403 and AuditEntry.objects.filter(action=Action.DENIED).count() > before:
            out[name] = "denied"
        elif _is_login_redirect(response):
            out[name] = "sign in"
        else:
            out[name] = "allowed"
    return out


def _expected(role: str | None, permission: str) -> str:
    if permission == "api_key":
        return "sign in"  # a session, whatever its role, is not a source system's key: 401
    if permission in ("public", "monitoring"):
        return "allowed"  # monitoring: the matrix lets it through; the view refuses without the token (403)
    if role is None:
        return "sign in"
    if permission == "nobody":
        return "denied"
    if permission in PSEUDO_PERMISSIONS:
        return "allowed"
    return "allowed" if load().role_allows(role, permission) else "denied"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *Role.values])
def test_each_url_answers_each_role_as_the_matrix_says(role: str | None) -> None:
    world = build_access_world()
    client = Client()
    if role is not None:
        sign_in(client, world.users[role])
    matrix = load()
    got = _verdicts(client, world, role)
    wrong = {
        name: (verdict, _expected(role, matrix.permission_for_url(name) or "missing"))
        for name, verdict in got.items()
        if verdict != _expected(role, matrix.permission_for_url(name) or "missing")
    }
    assert not wrong, f"{role}: URL -> (got, matrix says): {wrong}"


@pytest.mark.django_db
def test_an_elevated_role_without_its_second_factor_reaches_only_the_second_factor_screens() -> None:
    world = build_access_world()
    client = sign_in(Client(), world.users["inspector"], second_factor=False)
    response = client.get(f"/people/{world.pupil.pk}/")
    assert response.status_code == 302 and response["Location"] == reverse("access:otp_verify")
    assert client.get(reverse("access:otp_setup")).status_code == 200


@pytest.mark.django_db
def test_a_refusal_is_written_to_the_access_log() -> None:
    from safetynet.audit.models import Action, AuditEntry

    world = build_access_world()
    client = sign_in(Client(), world.users["auditor"])
    assert client.get(f"/people/{world.pupil.pk}/").status_code == 403
    denied = AuditEntry.objects.get(action=Action.DENIED)
    assert denied.actor_role == "auditor" and denied.object_ids == ["web:person"]
