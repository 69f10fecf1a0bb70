"""Static files are served by the app itself (whitenoise), so a demo needs no web server."""

from __future__ import annotations

from django.test import Client


def test_app_static_files_are_served_without_collectstatic(client: Client) -> None:
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"/*")  # type: ignore[attr-defined]
