"""`safetynet apikey create|list|revoke`: the key printed once, stored hashed, never listed."""

from __future__ import annotations

import hashlib

import pytest

from safetynet.access.models import ApiKey
from safetynet.audit.models import AuditEntry
from safetynet.cli.main import main

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_prints_the_key_once_alone_on_its_last_line_and_stores_only_its_hash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["apikey", "create", "csc-nightly", "--sources", "csc,health", "--kinds", "person,event"]) == 0
    raw = capsys.readouterr().out.splitlines()[-1]

    stored = ApiKey.objects.get()
    assert raw.startswith(f"sn_{stored.prefix}_") and len(raw) > 50
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert (stored.sources, stored.kinds) == (["csc", "health"], ["event", "person"])
    assert raw not in str(list(ApiKey.objects.values())) and raw not in str(list(AuditEntry.objects.values()))
    assert AuditEntry.objects.get(object_type="api_key").object_ids == ["csc-nightly"]


def test_list_shows_scope_and_state_never_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    main(["apikey", "create", "rms", "--sources", "rms", "--markers", "registered_sex_offender"])
    raw = capsys.readouterr().out.splitlines()[-1]
    main(["apikey", "revoke", "rms"])
    capsys.readouterr()

    assert main(["apikey", "list"]) == 0
    out = capsys.readouterr().out
    assert "rms\tsources=rms\tkinds=all markers=registered_sex_offender" in out and "revoked" in out
    assert raw not in out and ApiKey.objects.get().digest not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sources", "safetynet"], "reserved"),
        (["--sources", "rms", "--kinds", "persons"], "unknown kinds"),
        (["--sources", "rms", "--markers", "cse_risk"], "restricted marker types only"),
    ],
)
def test_a_key_that_cannot_be_made_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["apikey", "create", "bad", *args]) == 2
    assert message in capsys.readouterr().err and not ApiKey.objects.exists()


def test_revoking_an_unknown_key_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apikey", "revoke", "nobody"]) == 2
