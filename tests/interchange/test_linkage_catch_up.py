"""A re-run after an interrupted import leaves nobody unlinked, and `doctor` says who is.

An import stores each chunk, commits, then links its person records: a process killed between
the two leaves people stored but in no individual, and the re-run answers them "unchanged"
(so linkage is never told about them). The CLI import links every such record after its own;
`safetynet doctor` counts them and lists imports still running or interrupted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safetynet.cli.main import main
from safetynet.identity.linking import unlinked_person_ids
from safetynet.interchange.importer import import_files
from safetynet.interchange.models import ImportBatch
from safetynet.records.models import Person
from tests.interchange.conftest import person, write_jsonl

pytestmark = pytest.mark.django_db(transaction=True)


def _county(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "people.jsonl",
        [
            person(f"P{n}", given_names=f"Invented{n}", family_name="Catchup", date_of_birth="2012-01-0" + str(n + 1))
            for n in range(5)
        ],
    )


def test_a_rerun_links_people_an_interrupted_run_stored_but_never_linked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county = _county(tmp_path)
    import_files([county], notify=False)  # what a run killed after its commit, before linkage, leaves
    assert len(unlinked_person_ids()) == 5

    assert main(["import", str(county)]) == 0

    assert unlinked_person_ids() == []
    assert not Person.live.filter(membership__isnull=True).exists()
    out = capsys.readouterr().out
    assert "total: 0 accepted, 0 updated, 5 unchanged, 0 rejected" in out
    assert "linked 5 person record(s) an earlier run left unlinked" in out


def test_an_import_with_linkage_off_leaves_them_for_later(tmp_path: Path) -> None:
    assert main(["import", "--no-link", str(_county(tmp_path))]) == 0
    assert len(unlinked_person_ids()) == 5


def test_doctor_reports_unlinked_records_and_interrupted_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_files([_county(tmp_path)], notify=False)
    ImportBatch.objects.create(
        name="killed",
        started_by="tester",
        started_at=dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC),
        status=ImportBatch.Status.INTERRUPTED,
        host="host-a",
        pid=4242,
    )
    main(["doctor"])
    out = capsys.readouterr().out
    assert "unlinked person records: 5 (run 'safetynet link' to link them)" in out
    assert "is interrupted (started 2026-03-01 09:00 UTC on host-a, pid 4242)" in out
