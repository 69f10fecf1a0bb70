"""A system administrator sees batches read-only: counts, rejects and duration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.interchange.conftest import person

pytestmark = pytest.mark.django_db


def test_the_batch_page_shows_counts_rejects_and_duration(run_import: Callable[..., Any], admin_client: Client) -> None:
    result = run_import([person("P1"), b"{broken"], batch_name="weekly rms")

    listing = admin_client.get("/admin/interchange/importbatch/")
    detail = admin_client.get(f"/admin/interchange/importbatch/{result.batch_id}/change/")

    assert listing.status_code == 200 and "weekly rms" in listing.content.decode()
    page = detail.content.decode()
    assert "person: 1 accepted, 0 updated, 0 unchanged, 0 rejected" in page
    assert "not valid JSON" in page
    assert "Save" not in page  # read-only


def test_batches_cannot_be_added_through_the_admin(admin_client: Client) -> None:
    assert admin_client.get("/admin/interchange/importbatch/add/").status_code == 403
