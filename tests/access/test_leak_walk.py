"""The leak walk (#16, "the probe in CI"): every role, the sergeant named on a restriction and
nobody, against every URL the resolver knows and every operation of the API's OpenAPI document,
in a world with a restricted record of every kind (tests/access/probe_world.py). No response
may carry a restricted fact the matrix keeps from that viewer (tests/access/leak_oracle.py):

- no text or source id of a record they may not see (intelligence text, handling C and legacy
  5x5x5 codes 1/3/4/5, health records and markers, types a school may not see, orders, anything
  involving the restricted child), no name of a child they may not open;
- no reason, id or task of a finding they may not read in full, no link or JSON id of a child,
  event, finding or task kept from them, no `cites_withheld` count on work that is not theirs;
- no count: adding more findings the viewer may not read changes no byte of what they are shown;
- no task action (web or API) by a viewer who may not act on that task: refused, task unchanged.

A viewer is also shown each fact the matrix lets them see somewhere (a walk that reached
nothing would otherwise pass). A new URL is walked as it is added: its path parameters are
filled from the world by name (`_candidates`); add query strings in `QUERIES` if the page needs
them to show anything.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from safetynet.access.apikeys import issue_key
from safetynet.access.matrix import load
from safetynet.access.roles import Role
from safetynet.api.api import api
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event
from safetynet.work.models import Task
from safetynet.work.services import sync_tasks
from tests.access.leak_oracle import Fact, Oracle, Viewer
from tests.access.probe_world import AT, FINDINGS, ProbeWorld, build_probe_world, raise_finding
from tests.access.test_authorization_matrix import sample_url, url_names
from tests.world import sign_in

VIEWERS = [Viewer(r, r) for r in Role.values] + [
    Viewer("named_sergeant", "sergeant", named=True),
    Viewer("nobody", None),
]

# Matrix permissions of pages that show nothing counted from children's records.
NO_CHILD_COUNTS = frozenset({"public", "signed_in", "administer", "view_audit", "nobody"})

# django-otp's admin QR code answers 503 without the optional `qrcode` package: the key and its
# otpauth:// link are on the device's page and the second-factor setup screen, so no new
# dependency for a picture.
# /readyz answers 503 by design while no task worker beats (the walk runs none; tests/ops).
KNOWN_5XX = re.compile(r"^(/admin/otp_totp/totpdevice/\d+/qrcode/|/readyz)$")

RATIONALE = "Spoke with the family and the school; the plan is in place and reviewed weekly."

# Query strings a page needs to show anything; "{child}" is each child's id, "{name}" each name.
QUERIES: dict[str, list[str]] = {
    "web:search": ["?name={name}", "?name=Alexa&identifier=H1"],
    "api:search": ["?name={name}", "?name=Alexa&identifier=H1"],
    "web:person_chronology": ["", "?type=intelligence", "?type=crime&type=custody"],
    "api:individual_chronology": ["", "?type=intelligence", "?type=crime&type=custody"],
    "api:individual_findings": ["", "?state=all"],
    "web:audit_log": ["", "?person={child}"],
    "web:audit_person": ["?person={child}", "?person=rms:P1"],
}


def _users(world: ProbeWorld, viewer: Viewer) -> Any:
    if viewer.role is None:
        return None
    return world.access.named_sergeant if viewer.named else world.access.users[viewer.role]


def _candidates(world: ProbeWorld) -> dict[str, list[Any]]:
    return {
        "individual_id": [*world.children, 999999],
        "event_id": list(Event.objects.order_by("pk").values_list("pk", flat=True)),
        "task_id": [f.task for f in world.findings],
    }


def _fill(name: str, kwargs: frozenset[str], world: ProbeWorld) -> Iterator[str]:
    """Concrete URLs for `name`: every combination of the world's ids its parameters name."""
    if not kwargs:
        yield reverse(name)
        return
    if kwargs == {"individual_id", "person_id", "other_id"}:  # comparing two records of a child
        everyone = [p for ps in world.persons.values() for p in ps]
        for child, people in world.persons.items():
            for other in everyone:
                yield reverse(name, kwargs={"individual_id": child, "person_id": people[0], "other_id": other})
        return
    known = _candidates(world)
    if not kwargs <= set(known):
        yield sample_url(name, kwargs, world.access)
        return
    keys = sorted(kwargs)
    for values in itertools.product(*(known[k] for k in keys)):
        yield reverse(name, kwargs=dict(zip(keys, values, strict=True)))


def _with_queries(url: str, world: ProbeWorld) -> list[str]:
    found = resolve(url.split("?")[0])
    out = []
    for query in QUERIES.get(found.view_name, [""]):
        if "{child}" in query:
            out += [url + query.format(child=c) for c in world.children]
        elif "{name}" in query:
            out += [url + query.format(name=n) for n in world.names.values()]
        else:
            out.append(url + query)
    return out


def _openapi_urls(world: ProbeWorld) -> tuple[list[str], list[str]]:
    """GET and POST URLs of every operation the API's OpenAPI document lists."""
    schema = api.get_openapi_schema()
    known = _candidates(world)
    gets, posts = [], []
    for path, methods in schema["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        if not set(names) <= set(known):  # the REST ingest's {source}/{record_id}: see the last test
            continue
        for values in itertools.product(*(known[n] for n in names)):
            url = path
            for n, v in zip(names, values, strict=True):
                url = url.replace("{" + n + "}", str(v))
            if "get" in methods:
                gets.append(url)
            if "post" in methods:
                posts.append(url)
    return gets, posts


def _web_urls(world: ProbeWorld, viewer: Viewer) -> list[str]:
    urls = []
    explicit = load().urls
    for name, kwargs in sorted(url_names().items()):
        if name.startswith("api:") or name == "web:logout":
            continue
        if name.startswith("admin:") and name != "admin:index" and name not in explicit:
            if viewer.role != Role.SYSTEM_ADMINISTRATOR:  # the matrix refuses the rest the admin site
                continue
        urls += list(_fill(name, kwargs, world))
    return urls


# --- what a response may not carry ----------------------------------------------------------


def _json_ids(data: Any) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(kind, id, the object) for every id of a child, event, finding or task in a JSON answer."""
    if isinstance(data, list):
        for item in data:
            yield from _json_ids(item)
        return
    if not isinstance(data, dict):
        return
    for key in ("individual", "event", "finding", "task"):
        if isinstance(data.get(key), int):
            yield key, data[key], data
    if isinstance(data.get("id"), int):
        if "clause" in data:
            yield ("task" if "finding" in data else "finding"), data["id"], data
        elif "event_type" in data:
            yield "event", data["id"], data
        elif "match_probability" in data or "records" in data:
            yield "individual", data["id"], data
    for value in data.values():
        if isinstance(value, (list, dict)):
            yield from _json_ids(value)


HTML_IDS = {"individual": r"/people/(\d+)/", "event": r"/events/(\d+)/", "task": r"/work/tasks/(\d+)/"}


def _leaks(
    url: str, body: str, content_type: str, oracle: Oracle, facts: list[Fact], visible: dict[str, set[int]]
) -> list[str]:
    # What the viewer typed (a searched name) comes back in the form: not a leak.
    found = [
        f"{f.what} ({f.token!r})" for f in facts if not f.allowed and f.pattern.search(body) and f.token not in url
    ]
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        for kind, pk, obj in _json_ids(data):
            if pk not in visible[kind] and not (kind == "individual" and pk == 999999):
                found.append(f"{kind} id {pk}")
            if obj.get("cites_withheld") and kind == "task" and "finding" in obj:
                if pk not in oracle.tasks or not oracle.given_work(oracle.tasks[pk]):
                    found.append(f"cites_withheld {obj['cites_withheld']} on task {pk}")
    else:
        for kind, pattern in HTML_IDS.items():
            found += [f"a link to {kind} {m}" for m in re.findall(pattern, body) if int(m) not in visible[kind]]
    return found


def _normalised(body: str) -> str:
    """The response without what differs between two identical requests (CSRF tokens, nonces)."""
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)


def _get_all(client: Client, urls: list[str]) -> dict[str, tuple[int, str, str]]:
    out = {}
    for url in urls:
        response = client.get(url)
        out[url] = (response.status_code, response.get("Content-Type", ""), response.content.decode(errors="replace"))
    return out


def _post_all(client: Client, oracle: Oracle, urls: list[str]) -> list[str]:
    """POST every task action, each rolled back; returns what went wrong."""
    wrong: list[str] = []
    facts, visible = oracle.facts(), oracle.visible_ids()
    user = oracle.user
    for url in urls:
        match = resolve(url)
        task_id = match.kwargs.get("task_id")
        finding = oracle.tasks.get(task_id) if task_id else None
        data = {"take": "1", "assignee": getattr(user, "pk", 0), "rationale": RATIONALE}
        with transaction.atomic():
            before = Task.objects.filter(pk=task_id).values("state", "assignee_id", "owner_role").first()
            if url.startswith("/api/"):
                response = client.post(url, data=json.dumps(data), content_type="application/json")
            else:
                response = client.post(url, data=data)
            after = Task.objects.filter(pk=task_id).values("state", "assignee_id", "owner_role").first()
            transaction.set_rollback(True)
        body = response.content.decode(errors="replace")
        if response.status_code >= 500:
            wrong.append(f"POST {url}: {response.status_code}")
        if finding is not None and not oracle.may_act(finding):
            if response.status_code not in (302, 401, 403, 404, 405) or before != after:
                wrong.append(f"POST {url}: acted ({response.status_code}, {before} -> {after}) though it may not")
        wrong += [
            f"POST {url}: {leak}"
            for leak in _leaks(url, body, response.get("Content-Type", ""), oracle, facts, visible)
        ]
    return wrong


def _add_withheld_copies(world: ProbeWorld, oracle: Oracle) -> None:
    """A second finding (and task) beside each the viewer may not read: none may show."""
    for f in world.findings:
        if not oracle.reads_finding(f):
            owner, word, cites, _restricted = FINDINGS[f.clause]
            individual = type(world.access.pupil).objects.get(pk=f.individual)
            raise_finding(individual, f.clause, owner, word, cites, suffix="-copy")
    sync_tasks(clock=FixedClock(AT))
    Task.objects.update(due_at=AT - dt.timedelta(hours=2))


def _check_walk(oracle: Oracle, answers: dict[str, tuple[int, str, str]], note: str = "") -> list[str]:
    facts, visible = oracle.facts(), oracle.visible_ids()
    wrong = [
        f"{url}{note}: {leak}"
        for url, (_s, ctype, body) in answers.items()
        for leak in _leaks(url, body, ctype, oracle, facts, visible)
    ]
    return wrong + [
        f"{url}{note}: {status}"
        for url, (status, _c, _b) in answers.items()
        if status >= 500 and not KNOWN_5XX.match(url)
    ]


def _counted(url: str) -> bool:
    return load().permission_for_url(resolve(url.split("?")[0]).view_name) not in NO_CHILD_COUNTS


def _counts_changed(viewer: Viewer, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Pages that changed when findings the viewer may not read were added. `_counted` leaves out
    pages that show nothing counted from children's records (the second-factor screens make a new key
    each time, the admin site has no child records, the access log grows with every request of
    the walk by design)."""
    wrong = []
    for url, (status, _ctype, body) in after.items():
        if (status, _normalised(body)) != (before[url][0], _normalised(before[url][2])):
            wrong.append(f"{url}: changed when findings {viewer.name} may not read were added (a count leaks)")
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS, ids=[v.name for v in VIEWERS])
def test_no_restricted_fact_reaches_a_viewer_the_matrix_keeps_it_from(viewer: Viewer) -> None:
    world = build_probe_world()
    user = _users(world, viewer)
    client = sign_in(Client(), user) if user is not None else Client()
    oracle = Oracle(world, viewer, user)
    api_gets, api_posts = _openapi_urls(world)
    web = _web_urls(world, viewer)
    gets = [u for url in [*web, *api_gets] for u in _with_queries(url, world)]
    first = _get_all(client, gets)
    wrong = _check_walk(oracle, first)

    shown = " ".join(body for _s, _c, body in first.values())
    unseen = [
        f"{f.what} ({f.token!r})" for f in oracle.facts() if f.allowed and f.shown and not f.pattern.search(shown)
    ]
    assert not unseen, f"{viewer.name} may see these but no page showed them: {unseen}"

    # Every API operation that changes something, and every screen acting on a task, is POSTed
    # (from a second session, whose flash messages stay out of the comparison below).
    poster = sign_in(Client(), user) if user is not None else Client()
    wrong += _post_all(poster, oracle, [*api_posts, *(u for u in web if "task_id" in resolve(u).kwargs)])

    _add_withheld_copies(world, oracle)
    second = _get_all(client, [u for u in gets if _counted(u)])
    wrong += _check_walk(oracle, second, " (with copies)")
    wrong += _counts_changed(viewer, first, second)
    assert not wrong, f"{viewer.name}:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_a_source_systems_key_reads_back_only_its_own_sources_records() -> None:
    """The REST ingest's read-back (`GET /api/v1/records/{source}/{id}`) for every planted record:
    a school system's key gets its own records and a 404 for everything else, police records
    with restricted text included (their payload repeats it)."""
    world = build_probe_world()
    _key, raw = issue_key(name="school-mis", sources=["education"], created_by="probe", clock=FixedClock(AT))
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/records/education/E1").status_code == 200
    for rec in world.records:
        answer = client.get(f"/api/v1/records/{rec.source}/{rec.source_id}")
        assert answer.status_code == 404, rec
        assert rec.source_id not in answer.content.decode() and (
            not rec.text or rec.text not in answer.content.decode()
        )
