"""The drop folder (`safetynet ingest --watch DIR`): complete files only, rejects beside them in
done/, restarts that never import a file twice, and the same records as `safetynet import`."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from safetynet.cli.main import main
from safetynet.interchange import drop
from safetynet.interchange.drop import complete_files, ingest_once
from safetynet.interchange.importer import import_files
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Person, RecordVersion
from safetynet.synth.config import make_config
from safetynet.synth.generator import generate
from tests.api.test_ingest_parity import ROOT, _run
from tests.interchange.conftest import person, write_jsonl
from tests.interchange.dump import canonical_dump
from tests.interchange.test_crash import _interleave_versions

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "drop"
    path.mkdir()
    return path


def test_only_complete_jsonl_files_are_picked_up(folder: Path, clock: FixedClock) -> None:
    write_jsonl(folder / "rms-0001.jsonl", [person("P1")])
    for unfinished in (".rms-0002.jsonl", "rms-0003.jsonl.tmp", "rms-0004.jsonl.part", "notes.txt"):
        write_jsonl(folder / unfinished, [person("P2")])
    write_jsonl(folder / "old.jsonl.rejects.jsonl", ['{"line": 1}'])

    dropped = ingest_once(folder, clock=clock, notify=False)

    assert [d.name for d in dropped] == ["rms-0001.jsonl"]
    assert dropped[0].counts["accepted"] == 1
    assert list(Person.objects.values_list("source_id", flat=True)) == ["P1"]
    assert (folder / "done" / "rms-0001.jsonl").exists()
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        ".rms-0002.jsonl",
        "notes.txt",
        "old.jsonl.rejects.jsonl",
        "rms-0003.jsonl.tmp",
        "rms-0004.jsonl.part",
    ]


def test_files_are_imported_in_name_order_each_as_a_drop_batch(folder: Path, clock: FixedClock) -> None:
    write_jsonl(folder / "b.jsonl", [person("P1", recorded_at="2026-01-06T12:00:00+00:00", family_name="Later")])
    write_jsonl(folder / "a.jsonl", [person("P1")])

    dropped = ingest_once(folder, clock=clock, notify=False)

    assert [d.name for d in dropped] == ["a.jsonl", "b.jsonl"]
    assert [d.counts["accepted"] for d in dropped] == [1, 0]
    assert dropped[1].counts["updated"] == 1
    batches = ImportBatch.objects.order_by("pk")
    assert [(b.door, b.started_by, b.status) for b in batches] == [("drop", "drop folder", "completed")] * 2
    assert Person.objects.get(source_id="P1").family_name == "Later"


def test_rejects_go_to_done_beside_the_file(folder: Path, clock: FixedClock) -> None:
    write_jsonl(folder / "csc.jsonl", [person("P1"), person("P2", sex="f"), b"{not json"])

    (item,) = ingest_once(folder, clock=clock, notify=False)

    assert item.counts["accepted"] == 1 and item.counts["rejected"] == 2
    done = folder / "done"
    assert sorted(p.name for p in done.iterdir()) == ["csc.jsonl", "csc.jsonl.rejects.jsonl"]
    assert (done / "csc.jsonl.rejects.jsonl").read_text().count("\n") == 2
    assert not any(p.is_file() for p in folder.iterdir())


def test_a_file_dropped_again_after_a_restart_is_moved_without_being_imported(folder: Path, clock: FixedClock) -> None:
    write_jsonl(folder / "rms.jsonl", [person("P1"), person("P2", sex="f")])
    ingest_once(folder, clock=clock, notify=False)
    # the same content under a name done/ already holds: remembered by its digest, not its name
    shutil.copy(folder / "done" / "rms.jsonl", folder / "rms.jsonl")

    (item,) = ingest_once(folder, clock=clock, notify=False)

    assert item.already_imported
    assert ImportBatch.objects.count() == 1
    assert item.moved_to.parent == folder / "done" and item.moved_to.name != "rms.jsonl"
    assert not (folder / "rms.jsonl").exists()


def test_a_crash_between_the_import_and_the_move_neither_loses_nor_doubles(
    folder: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_jsonl(folder / "rms.jsonl", [person("P1"), person("P2", sex="f")])
    real_replace = os.replace
    moves: list[str] = []

    def crash_before_moving_the_file(src: Any, dst: Any) -> None:
        if str(src).endswith("rms.jsonl"):
            raise KeyboardInterrupt("killed between the import's commit and the move")
        moves.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(drop.os, "replace", crash_before_moving_the_file)
    with pytest.raises(KeyboardInterrupt):
        ingest_once(folder, clock=clock, notify=False)
    assert moves == ["rms.jsonl.rejects.jsonl"]  # the rejects went first; the file is still in the folder
    monkeypatch.setattr(drop.os, "replace", real_replace)

    (item,) = ingest_once(folder, clock=clock, notify=False)

    assert item.already_imported and item.counts == {"rejected": 1}
    assert ImportBatch.objects.count() == 1
    assert Person.objects.count() == 1 and RecordVersion.objects.count() == 0
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["rms.jsonl", "rms.jsonl.rejects.jsonl"]


def test_a_file_whose_import_was_interrupted_is_imported_again_to_the_same_end(folder: Path, clock: FixedClock) -> None:
    path = write_jsonl(folder / "rms.jsonl", [person("P1"), person("P2")])
    import_files([path], acting_user="drop folder", clock=clock, notify=False, door=ImportBatch.Door.DROP)
    ImportBatch.objects.update(status=ImportBatch.Status.INTERRUPTED)  # killed before the batch completed

    (item,) = ingest_once(folder, clock=clock, notify=False)

    assert not item.already_imported and item.counts["unchanged"] == 2 and item.counts["accepted"] == 0
    assert Person.objects.count() == 2


def test_the_drop_folder_stores_what_the_cli_import_stores(folder: Path, tmp_path: Path, clock: FixedClock) -> None:
    county = tmp_path / "county.jsonl"
    generate(make_config(children=60, years=1, seed=11), county)

    with transaction.atomic():
        import_files([county], clock=clock, notify=False)
        by_cli = canonical_dump()
        transaction.set_rollback(True)
    assert Person.objects.count() == 0
    shutil.copy(county, folder / "county.jsonl")
    (item,) = ingest_once(folder, clock=clock, notify=False)

    assert item.counts["rejected"] == 0 and item.counts["accepted"] > 300
    assert canonical_dump() == by_cli


def test_ingest_once_from_the_command_line_says_what_it_did(
    folder: Path, capsys: pytest.CaptureFixture[str], settings: Any, clock: FixedClock
) -> None:
    settings.SAFETYNET_CLOCK = clock
    write_jsonl(folder / "a.jsonl", [person("P1"), b"{oops"])

    code = main(["ingest", "--watch", str(folder), "--once", "--no-link"])

    out = capsys.readouterr().out
    assert code == 3
    assert "a.jsonl: batch" in out and "1 accepted" in out and "1 rejected" in out
    assert "Testy" not in out and "oops" not in out


def test_ingest_refuses_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--watch", str(tmp_path / "nowhere"), "--once"]) == 2
    assert complete_files(tmp_path) == []


@pytest.mark.slow
def test_the_drop_folder_and_the_cli_import_give_the_same_individuals_and_findings(tmp_path: Path) -> None:
    county = tmp_path / "county.jsonl"
    generate(make_config(children=150, years=1, seed=11), county)
    _interleave_versions(county)
    by_cli = _run("cli", county, tmp_path / "cli")

    drop_dir = tmp_path / "drop-door"
    drop_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFETYNET_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        SAFETYNET_DATA_DIR=str(drop_dir),
        DJANGO_SETTINGS_MODULE="tests.api.parity_settings",
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
    )
    out = drop_dir / "dump.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.interchange.drop_parity", str(county), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    assert len(by_cli["individuals"]) > 100 and len(by_cli["findings"]) > 0  # type: ignore[arg-type]
    assert json.loads(out.read_text(encoding="utf-8")) == by_cli


def test_the_watcher_passes_over_the_folder_until_stopped(
    folder: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    stop = threading.Event()
    passes: list[list[drop.DroppedFile]] = []
    one_pass = drop.ingest_once

    def counted(directory: Path, **kwargs: Any) -> list[drop.DroppedFile]:
        passes.append(one_pass(directory, **kwargs))
        if len(passes) == 2:
            stop.set()
        return passes[-1]

    monkeypatch.setattr(drop, "ingest_once", counted)
    write_jsonl(folder / "a.jsonl", [person("P1")])

    drop.watch(folder, clock=clock, interval=0.01, stop=stop, notify=False)

    assert [[d.name for d in p] for p in passes] == [["a.jsonl"], []]


def test_the_log_names_files_and_counts_never_content(
    folder: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    write_jsonl(folder / "rms.jsonl", [person("P1"), person("P2", sex="f")])

    with caplog.at_level(logging.INFO, logger="safetynet.interchange.drop"):
        ingest_once(folder, clock=clock, notify=False)

    text = caplog.text
    assert "rms.jsonl" in text and "1 accepted" in text and "1 rejected" in text
    assert "Testy" not in text and "Example" not in text and "2012" not in text


def test_a_dropped_file_may_not_write_the_reserved_source(folder: Path, clock: FixedClock) -> None:
    write_jsonl(folder / "x.jsonl", [person("P1"), {**person("P2"), "source": "safetynet"}])

    (item,) = ingest_once(folder, clock=clock, notify=False)

    assert item.counts["accepted"] == 1 and item.counts["rejected"] == 1
    assert "reserved" in (folder / "done" / "x.jsonl.rejects.jsonl").read_text()
