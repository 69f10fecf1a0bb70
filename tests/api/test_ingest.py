"""REST ingest: POST /api/v1/records and GET /api/v1/records/{source}/{id} with a source system's key."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from safetynet.access.apikeys import issue_key, revoke_key
from safetynet.access.models import ApiKey
from safetynet.audit.models import AuditEntry
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person

pytestmark = pytest.mark.django_db

RECORDED = "2026-01-05T12:00:00+00:00"
URL = "/api/v1/records"


def person(id: str, source: str = "csc", **fields: Any) -> dict[str, Any]:
    defaults = {"given_names": "Testy", "family_name": "Example", "date_of_birth": "2012-04-01"}
    return {"kind": "person", "source": source, "id": id, "recorded_at": RECORDED, **defaults, **fields}


def ndjson(*rows: dict[str, Any] | str) -> bytes:
    return b"\n".join(r.encode() if isinstance(r, str) else json.dumps(r).encode() for r in rows) + b"\n"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def key(clock: FixedClock) -> tuple[ApiKey, str]:
    return issue_key(name="csc-nightly", sources=["csc"], created_by="admin", clock=clock)


def post(client: Client, raw: str, body: bytes, content_type: str = "application/x-ndjson") -> Any:
    return client.post(URL, data=body, content_type=content_type, headers={"Authorization": f"Bearer {raw}"})


def test_a_source_system_posts_json_lines_and_every_line_is_answered(client: Client, key: tuple[ApiKey, str]) -> None:
    body = ndjson(person("P1"), "{broken", person("P2", sex="robot"), person("P3", source="rms"))

    response = post(client, key[1], body)

    assert response.status_code == 200
    data = response.json()
    assert data["counts"] == {"accepted": 1, "updated": 0, "unchanged": 0, "rejected": 3}
    assert [(x["line"], x["outcome"], x["status"], x.get("field")) for x in data["lines"]] == [
        (1, "accepted", 200, None),
        (2, "rejected", 422, None),
        (3, "rejected", 422, "sex"),
        (4, "rejected", 403, "source"),
    ]
    assert list(Person.objects.values_list("source_id", flat=True)) == ["P1"]
    batch = ImportBatch.objects.get(pk=data["batch"])
    assert (batch.door, batch.api_key_id) == ("api", key[0].pk)


def test_a_person_whose_date_of_birth_cannot_be_read_is_stored_with_a_warning(
    client: Client, key: tuple[ApiKey, str]
) -> None:
    data = post(client, key[1], ndjson(person("P1", date_of_birth="2005-38-06"))).json()

    assert data["counts"] == {"accepted": 1, "updated": 0, "unchanged": 0, "rejected": 0, "warned": 1}
    (answer,) = data["lines"]
    assert (answer["outcome"], answer["status"], answer["field"]) == ("accepted", 200, "date_of_birth")
    assert "not a real calendar date" in answer["reason"] and "2005" not in answer["reason"]
    assert Person.objects.get().date_of_birth_given == "2005-38-06"


def test_a_json_array_is_accepted_too_and_sending_it_again_changes_nothing(
    client: Client, key: tuple[ApiKey, str]
) -> None:
    body = json.dumps([person("P1"), person("P2"), "not an object"]).encode()

    first = post(client, key[1], body, "application/json").json()
    again = post(client, key[1], body, "application/json").json()

    assert [x["outcome"] for x in first["lines"]] == ["accepted", "accepted", "rejected"]
    assert [x["outcome"] for x in again["lines"]] == ["unchanged", "unchanged", "rejected"]
    assert Person.objects.count() == 2


def test_the_same_version_with_other_content_is_answered_as_a_conflict(client: Client, key: tuple[ApiKey, str]) -> None:
    post(client, key[1], ndjson(person("P1", sex="female")))

    data = post(client, key[1], ndjson(person("P1", sex="male"))).json()

    assert [(x["outcome"], x["status"], x["field"]) for x in data["lines"]] == [("rejected", 409, "recorded_at")]


@pytest.mark.parametrize("header", ["", "Bearer nonsense", "Bearer sn_000000000000_guessed", "Basic abc"])
def test_no_key_or_an_unknown_key_is_401(client: Client, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post(URL, data=ndjson(person("P1")), content_type="application/x-ndjson", headers=headers)

    assert response.status_code == 401 and not Person.objects.exists()


def test_a_revoked_key_is_401_at_once(client: Client, key: tuple[ApiKey, str], clock: FixedClock) -> None:
    assert post(client, key[1], ndjson(person("P1"))).status_code == 200

    revoke_key(name="csc-nightly", clock=clock)

    assert post(client, key[1], ndjson(person("P2"))).status_code == 401
    assert client.get(f"{URL}/csc/P1", headers={"Authorization": f"Bearer {key[1]}"}).status_code == 401


def test_a_signed_in_session_is_not_a_key(officer_client: Client) -> None:
    response = officer_client.post(URL, data=ndjson(person("P1")), content_type="application/x-ndjson")

    assert response.status_code == 401


def test_over_5000_records_is_413_before_anything_is_stored(client: Client, key: tuple[ApiKey, str]) -> None:
    body = ndjson(*[person(f"P{i}") for i in range(5001)])

    response = post(client, key[1], body)

    assert response.status_code == 413 and "5,000" in response.json()["detail"]
    assert not Person.objects.exists() and not ImportBatch.objects.exists()


def test_a_body_over_the_byte_cap_is_413(client: Client, key: tuple[ApiKey, str], settings: Any) -> None:
    settings.SAFETYNET_INGEST_MAX_BYTES = 1000

    response = post(client, key[1], ndjson(*[person(f"P{i}") for i in range(20)]))

    assert response.status_code == 413 and not ImportBatch.objects.exists()


def test_an_unknown_content_type_is_415_and_a_broken_array_400(client: Client, key: tuple[ApiKey, str]) -> None:
    assert post(client, key[1], b"<records/>", "application/xml").status_code == 415
    assert post(client, key[1], b"[{", "application/json").status_code == 400
    assert post(client, key[1], b'{"kind": "person"}', "application/json").status_code == 400


def test_a_key_over_its_rate_is_429_with_retry_after(client: Client, key: tuple[ApiKey, str], settings: Any) -> None:
    settings.SAFETYNET_API_KEY_CALLS_PER_MINUTE = 2
    assert post(client, key[1], ndjson(person("P1"))).status_code == 200
    assert post(client, key[1], ndjson(person("P2"))).status_code == 200

    response = post(client, key[1], ndjson(person("P3")))

    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    assert not Person.objects.filter(source_id="P3").exists()


def test_a_record_is_read_back_within_the_keys_scope_only(
    client: Client, key: tuple[ApiKey, str], clock: FixedClock
) -> None:
    post(client, key[1], ndjson(person("P1")))
    _other, rms = issue_key(name="rms", sources=["rms"], created_by="admin", clock=clock)
    auth = {"Authorization": f"Bearer {key[1]}"}

    found = client.get(f"{URL}/csc/P1", headers=auth)
    outside = client.get(f"{URL}/csc/P1", headers={"Authorization": f"Bearer {rms}"})
    missing = client.get(f"{URL}/csc/P404", headers=auth)

    assert found.status_code == 200 and found.json() == {"kind": "person", "payload": person("P1")}
    assert outside.status_code == missing.status_code == 404
    assert AuditEntry.objects.filter(object_type="source_record", actor_username="api:apikey csc-nightly").count() == 1


def test_the_key_never_reaches_a_log(client: Client, key: tuple[ApiKey, str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    post(client, key[1], ndjson(person("P1")))
    post(client, key[1] + "x", ndjson(person("P2")))

    for record in caplog.records:
        assert key[1] not in json.dumps(record.__dict__, default=str)
    assert key[1] not in json.dumps(list(AuditEntry.objects.values()), default=str)


def test_a_restricted_marker_is_read_back_only_by_a_key_allowed_it(client: Client, clock: FixedClock) -> None:
    _allowed, ppu = issue_key(
        name="ppu", sources=["rms"], markers=["registered_sex_offender"], created_by="admin", clock=clock
    )
    _plain, rms = issue_key(name="rms", sources=["rms"], created_by="admin", clock=clock)
    marker = {
        "kind": "marker",
        "source": "rms",
        "id": "MK1",
        "recorded_at": RECORDED,
        "person": "P1",
        "marker_type": "registered_sex_offender",
    }
    assert post(client, ppu, ndjson(marker)).json()["counts"]["accepted"] == 1

    assert client.get(f"{URL}/rms/MK1", headers={"Authorization": f"Bearer {ppu}"}).status_code == 200
    assert client.get(f"{URL}/rms/MK1", headers={"Authorization": f"Bearer {rms}"}).status_code == 404
