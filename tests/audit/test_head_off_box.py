"""The chain head kept off the database: `audit head --write/--syslog`, the worker writing it on
a schedule, and `audit verify --against FILE` catching a chain rewritten wholesale in the
database (every hash recomputed, the head row moved to match), which the chain alone cannot."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from safetynet.audit.anchor import Anchor, anchor_periodically, syslog_address
from safetynet.audit.models import AuditEntry
from safetynet.audit.services import GENESIS, current_head, entry_hash, parse_heads, verify_chain
from safetynet.cli.main import main
from safetynet.lib.clock import FixedClock
from tests.audit.test_chain import _drop_triggers, _five_entries, _raw

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _rewrite_the_chain_from(seq: int) -> None:
    """What a tamperer with the database's rights does to leave no trace in it: change an entry,
    then recompute its hash and every later one, and move the head row to the new last hash."""
    _drop_triggers()
    _raw("UPDATE audit_auditentry SET actor_username = %s WHERE seq = %s", ["someone.else", seq])
    prev = GENESIS if seq == 1 else AuditEntry.objects.get(seq=seq - 1).entry_hash
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        new_hash = entry_hash(prev, entry)
        _raw("UPDATE audit_auditentry SET prev_hash = %s, entry_hash = %s WHERE seq = %s", [prev, new_hash, entry.seq])
        prev = new_hash
    _raw("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [prev])


def test_head_write_appends_a_line_each_time_and_verify_against_checks_them_all(
    clock: FixedClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heads = tmp_path / "heads.txt"
    _five_entries(clock)
    assert main(["audit", "head", "--write", str(heads)]) == 0
    _five_entries(clock)
    assert main(["audit", "head", "--write", str(heads)]) == 0
    out = capsys.readouterr()
    lines = heads.read_text(encoding="ascii").splitlines()
    assert [line.split()[0] for line in lines] == ["5", "10"]
    assert out.out.splitlines()[-1] == lines[-1]  # printed as well as written
    assert f"appended to {heads}" in out.err
    assert [head for _n, head in parse_heads(heads.read_text())][-1] == current_head()

    assert main(["audit", "verify", "--against", str(heads)]) == 0
    assert "10 entries verified; all 2 stored head(s) are in the chain (the latest names entry 10)" in (
        capsys.readouterr().out
    )


def test_a_chain_rewritten_in_the_database_is_caught_by_the_heads_written_off_box(
    clock: FixedClock, guarded: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heads = tmp_path / "heads.txt"
    _five_entries(clock)
    main(["audit", "head", "--write", str(heads)])  # entry 5
    _five_entries(clock)
    main(["audit", "head", "--write", str(heads)])  # entry 10
    _five_entries(clock)
    capsys.readouterr()

    _rewrite_the_chain_from(7)

    assert verify_chain().ok, "inside the database the rewritten chain is whole"
    assert main(["audit", "verify"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--against", str(heads)]) == 1
    assert capsys.readouterr().out.strip() == (
        "audit chain BROKEN at entry 10: its hash differs from the stored head (line 2 of the stored heads) "
        "(the chain was rewritten up to here) (15 verified before it)"
    )


def test_head_is_sent_to_syslog(clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    _five_entries(clock)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(10)
        port = server.getsockname()[1]
        assert main(["audit", "head", "--syslog", f"127.0.0.1:{port}"]) == 0
        message = server.recv(4096).decode("ascii")
    head = current_head().line()
    assert message == f"<38>safetynet-audit: audit chain head {head}\x00"  # <38>: facility auth, info
    assert f"sent to syslog at 127.0.0.1:{port}" in capsys.readouterr().err


def test_a_head_that_cannot_be_stored_ends_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "head", "--syslog", str(tmp_path / "no-such-socket")]) == 2
    assert "cannot send the head to syslog at" in capsys.readouterr().err
    assert main(["audit", "head", "--write", str(tmp_path / "missing-dir" / "heads.txt")]) == 2
    assert "cannot append the head to" in capsys.readouterr().err
    assert main(["audit", "head", "--syslog", "udp://host:port"]) == 2
    assert "--syslog: expected /path/to/socket, HOST:PORT" in capsys.readouterr().err


def test_syslog_addresses() -> None:
    assert syslog_address("/dev/log") == ("/dev/log", socket.SOCK_DGRAM)
    assert syslog_address("siem.example") == (("siem.example", 514), socket.SOCK_DGRAM)
    assert syslog_address("udp://siem.example:5514") == (("siem.example", 5514), socket.SOCK_DGRAM)
    assert syslog_address("tcp://siem.example:6514") == (("siem.example", 6514), socket.SOCK_STREAM)


def test_a_malformed_line_in_the_stored_heads_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    heads = tmp_path / "heads.txt"
    heads.write_text(f"# heads\n5 {'a' * 64} 2026-03-02T09:00:00Z\n6 {'b' * 63}\n", encoding="ascii")
    assert main(["audit", "verify", "--against", str(heads)]) == 2
    assert f"{heads}: line 3: expected 'SEQ HASH [TIME]'" in capsys.readouterr().err


def test_the_worker_writes_the_head_when_configured(
    clock: FixedClock, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.core.management.call_command", lambda name, **options: None)  # no queue here
    _five_entries(clock)
    heads = tmp_path / "heads.txt"
    assert main(["worker", "--batch", "--sweep-every", "0"]) == 0
    assert not heads.exists()  # off unless configured
    settings.SAFETYNET_AUDIT_HEAD_FILE = str(heads)
    assert main(["worker", "--batch", "--sweep-every", "0"]) == 0
    assert heads.read_text(encoding="ascii") == current_head().line() + "\n"


class _Rounds(threading.Event):
    """A stop event that ends the loop after `rounds` waits instead of sleeping through them."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds = rounds
        self.waited: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.append(timeout)
        if len(self.waited) >= self.rounds:
            self.set()
        return self.is_set()


@pytest.mark.django_db(transaction=True)  # the loop closes stale connections between rounds
def test_the_schedule_writes_every_interval_and_outlives_a_failure(
    clock: FixedClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _five_entries(clock)
    heads = tmp_path / "heads.txt"
    stop = _Rounds(3)
    assert anchor_periodically(Anchor(file=str(heads), minutes=15), stop) == 3
    assert stop.waited == [900, 900, 900]
    assert len(heads.read_text(encoding="ascii").splitlines()) == 3

    broken = _Rounds(2)
    assert anchor_periodically(Anchor(file=str(tmp_path / "gone" / "heads.txt")), broken) == 0
    assert len(broken.waited) == 2  # it kept going
    assert "writing the chain head off-box failed (FileNotFoundError)" in caplog.text


def test_an_interval_below_a_minute_is_refused_naming_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="safetynet.settings.dev",
        SAFETYNET_DATA_DIR=str(tmp_path),
        SAFETYNET_AUDIT_HEAD_MINUTES="0",
        PYTHONPATH=str(ROOT / "src"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "safetynet", "audit", "head"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "SAFETYNET_AUDIT_HEAD_MINUTES must be at least 1 (got 0)." in result.stderr
