"""`safetynet link`: batch linkage, incremental catch-up and evaluation from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safetynet.cli.main import main
from safetynet.identity.models import Membership
from safetynet.records.models import Person


@pytest.mark.django_db(transaction=True)
def test_link_full_then_evaluate_against_a_truth_file(
    small_population: dict[int, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["link", "--full"]) == 0
    out = capsys.readouterr().out
    assert f"linked {len(small_population):,} person records" in out
    assert Membership.objects.count() == len(small_population)

    refs = {f"{s}:{i}": small_population[pk] for pk, s, i in Person.objects.values_list("pk", "source", "source_id")}
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"version": 1, "persons": refs}))
    assert main(["link", "evaluate", "--truth", str(truth), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["truth"]["precision"] >= 0.98
    assert figures["truth"]["true_pairs"] > 0


@pytest.mark.django_db(transaction=True)
def test_link_without_full_links_only_new_records(
    small_population: dict[int, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["link"]) == 0
    assert f"linked {len(small_population):,} new or changed" in capsys.readouterr().out
    assert main(["link"]) == 0
    assert "linked 0 new or changed" in capsys.readouterr().out


def test_evaluate_refuses_a_truth_file_of_the_wrong_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "truth.json"
    bad.write_text("[1, 2]")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_SETTINGS_MODULE", "safetynet.settings.test")
        code = main(["link", "evaluate", "--truth", str(bad)])
    assert code == 2
    assert "expected a JSON object with 'persons'" in capsys.readouterr().err
