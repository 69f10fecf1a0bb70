"""The request log (on /healthz; liveness and readiness themselves: tests/ops/test_readiness.py)."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from safetynet.lib.logging import JsonFormatter


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_keeps_a_well_formed_one(client: Client) -> None:
    generated = client.get("/healthz")
    assert len(generated["X-Request-ID"]) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "abc12345-trace"})
    assert kept["X-Request-ID"] == "abc12345-trace"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert replaced["X-Request-ID"] != "<script>"


@pytest.mark.django_db
def test_request_log_never_contains_the_query_string(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="safetynet.request"):
        client.get("/healthz?name=Kayleigh+Smith")
    record = next(r for r in caplog.records if r.name == "safetynet.request")
    line = JsonFormatter().format(record)
    assert "Kayleigh" not in line
    entry = json.loads(line)
    assert entry["path"] == "/healthz"
    assert entry["status"] == 200
