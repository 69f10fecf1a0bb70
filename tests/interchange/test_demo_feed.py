"""`make demo` starts the live feed beside the server with a fresh key of its own, passed in the
environment (never on the command line); `--no-feed` leaves it out."""

from __future__ import annotations

from typing import Any

import pytest

from safetynet.access.apikeys import key_for
from safetynet.access.models import ApiKey
from safetynet.cli.commands import demo
from safetynet.cli.main import build_parser

pytestmark = pytest.mark.django_db


class FakePopen:
    started: list[FakePopen] = []

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command, self.env = command, env
        FakePopen.started.append(self)


def test_each_demo_run_starts_the_feed_with_a_new_key_and_revokes_the_last(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo.subprocess, "Popen", FakePopen)

    demo._start_feed("http://127.0.0.1:8000")
    demo._start_feed("http://127.0.0.1:8000")

    first, second = FakePopen.started[-2:]
    for run in (first, second):
        assert run.command[-5:] == ["feed", "--url", "http://127.0.0.1:8000", "--interval", "5"]
        assert not any(part.startswith("sn_") for part in run.command)
    assert key_for(first.env["SAFETYNET_FEED_KEY"]) is None  # revoked
    current = key_for(second.env["SAFETYNET_FEED_KEY"])
    assert current is not None and current.name == "demo-feed"
    assert sorted(current.sources) == ["csc", "mispers", "rms"]
    assert ApiKey.objects.count() == 2
    out = capsys.readouterr().out
    assert "live feed: a record or two every 5 s through /api/v1/records" in out and "--no-feed" in out
    assert second.env["SAFETYNET_FEED_KEY"] not in out


def test_the_demo_takes_no_feed() -> None:
    args: Any = build_parser().parse_args(["demo", "--no-feed", "--no-serve"])
    assert args.no_feed and args.no_serve
