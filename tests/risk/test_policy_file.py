"""The policy file: validated on load, refused with file, line and expectation; the running
policy stays in force; the language check matches robustly."""

from __future__ import annotations

from pathlib import Path

import pytest

from safetynet.risk import policy as policy_module
from safetynet.risk.policy import DEFAULT_POLICY_PATH, PolicyError, current_policy, install_policy, load_policy

TEXT = DEFAULT_POLICY_PATH.read_text()


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_shipped_policy_is_versioned_and_names_every_clause() -> None:
    policy = load_policy(DEFAULT_POLICY_PATH)
    assert policy.version == "2026.14"
    assert policy.clause("M4").number("episodes") == 3
    assert policy.escalation_after("sergeant") == "inspector"
    assert policy.escalation_after("superintendent") is None


@pytest.mark.parametrize(
    ("change", "needle", "expected"),
    [
        (("      episodes: 3", "      episodes: three"), "      episodes: three", "a number for M4.thresholds"),
        (("  M7:", "  M9:"), "  M9:", "a known clause id"),
        (("    severity: critical\n    owner_role: inspector", "    severity: urgent\n    owner_role: inspector"),
         "    severity: urgent", "clauses.P1.severity"),
        (("    owner_role: custody_officer\n    work: {mode: open_or_recent, window_days: 7}\n    clocks:",
          "    owner_rol: custody_officer\n    work: {mode: open_or_recent, window_days: 7}\n    clocks:"),
         "    owner_rol: custody_officer", "Extra inputs"),
        (("      out_of_hours_owner: [inspector]", "      out_of_hours_owner: [duty_manager]"),
         "      out_of_hours_owner: [duty_manager]", "a list of one role"),
        (("      mash_open_days: [mon, tue, wed, thu, fri]", "      mash_open_days: [monday]"),
         "      mash_open_days: [monday]", "weekdays among mon"),
        (("      mash_closes_hour: 18", "      mash_closes_hour: 7"), "      mash_closes_hour: 7", "mash_opens_hour <"),
    ],
)  # fmt: skip
def test_a_bad_policy_file_is_refused_with_its_line(
    tmp_path: Path, change: tuple[str, str], needle: str, expected: str
) -> None:
    text = TEXT.replace(*change)
    path = tmp_path / "force.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    message = str(refused.value)
    assert f"{path}:{_line_of(text, needle)}:" in message
    assert expected in message


def test_a_refused_policy_leaves_the_running_policy_in_force(tmp_path: Path) -> None:
    running = current_policy()
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEXT.replace("      episodes: 3", "      episodes: [3]"))
    with pytest.raises(PolicyError):
        install_policy(bad)
    assert current_policy() is running


def test_an_installed_policy_changes_thresholds_without_code(tmp_path: Path) -> None:
    good = tmp_path / "force.yaml"
    good.write_text(
        TEXT.replace(f'version: "{load_policy(DEFAULT_POLICY_PATH).version}"', 'version: "force-7"').replace(
            "      episodes: 3", "      episodes: 2"
        )
    )
    previous = current_policy()
    try:
        installed = install_policy(good)
        assert current_policy().version == "force-7"
        assert installed.clause("M4").number("episodes") == 2
    finally:
        policy_module._current = previous


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("She REGULARLY goes missing.", "regularly goes missing"),
        ("Left of her own volition", "own volition"),
        ("Left of his own volition!", "own volition"),
        ("He's a regular missing person", "regular missing person"),
        ("Young people like this are putting themselves at risk", "putting themselves at risk"),
        ("He is street-wise.", "streetwise"),
        ("Staff call it a lifestyle-choice", "lifestyle choice"),
        ("Described the sex as consensual.", "consensual"),
    ],
)
def test_language_check_matches_case_punctuation_and_inflections(text: str, phrase: str) -> None:
    matches = current_policy().check_language(text)
    assert [m.phrase for m in matches] == [phrase]
    assert matches[0].suggestion and matches[0].reason


def test_language_check_leaves_plain_facts_alone() -> None:
    assert current_policy().check_language("Found at a friend's address; spoke to the child alone.") == []


@pytest.mark.parametrize(
    ("change", "where", "expected"),
    [
        (("    work: {mode: always}\n", "    work: {mode: sometimes}\n"), "clauses.M4.work.mode",
         "'always', 'open_or_recent' or 'practice'"),
        (("    work: {mode: open_or_recent, window_days: 7}\n", "    work: {mode: open_or_recent, window_days: -1}\n"),
         "clauses.M1.work.window_days", "greater than or equal to 0"),
        (("resolution: {expiry: after_days, days: 30}", "resolution: {expiry: later, days: 30}"),
         "clauses.M4.resolution.expiry", "'after_days' or 'never'"),
        (("resolution: {expiry: after_days, days: 30}", "resolution: {expiry: after_days, days: -30}"),
         "clauses.M4.resolution.days", "greater than or equal to 0"),
    ],
)  # fmt: skip
def test_an_unknown_mode_or_expiry_or_a_negative_period_is_refused_and_the_running_policy_stays(
    tmp_path: Path, change: tuple[str, str], where: str, expected: str
) -> None:
    running = current_policy()
    text = TEXT.replace(*change, 1)
    assert text != TEXT
    bad = tmp_path / "force.yaml"
    bad.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if change[1].strip() in row)
    with pytest.raises(PolicyError) as refused:
        install_policy(bad)
    message = str(refused.value)
    assert message.startswith(f"{bad}:{line}: {where}: ") and expected in message
    assert current_policy() is running


def test_each_agency_has_its_own_escalation_chain() -> None:
    policy = load_policy(DEFAULT_POLICY_PATH)
    assert policy.escalation_chain("custody_officer") == ("sergeant", "inspector", "superintendent")
    assert policy.escalation_chain("partner_social_worker") == ("partner_social_worker",)
    assert policy.escalation_after("partner_social_worker") is None
    assert policy.supervisors_of("custody_officer") == ("sergeant", "inspector", "superintendent")
    assert policy.supervisors_of("sergeant") == ("inspector", "superintendent")
    assert policy.supervisors_of("partner_social_worker") == ()


CHAINS = "    police: [sergeant, inspector, superintendent]\n    csc: [partner_social_worker]\n"
ESCALATION = "  chains:\n" + CHAINS + "    health: [partner_health]\n"


@pytest.mark.parametrize(
    ("change", "needle", "expected"),
    [
        ((CHAINS, CHAINS.replace("csc: [partner_social_worker]", "csc: [partner_social_worker, sergeant]")),
         "    csc: [partner_social_worker, sergeant]",
         "escalation.chains.csc (a task climbs its own agency's chain); sergeant is a police role"),
        ((CHAINS, CHAINS.replace("inspector, superintendent", "inspector, chief_constable")),
         "    police: [sergeant, inspector, chief_constable]", "escalation.chains.police.2: Input should be"),
        ((CHAINS, CHAINS.replace("inspector, superintendent", "inspector, inspector")),
         "    police: [sergeant, inspector, inspector]", "each role once in escalation.chains.police"),
        ((CHAINS, CHAINS + "    probation: [sergeant]\n"), "    probation: [sergeant]", "escalation.chains.probation"),
        ((ESCALATION, "  chain: [sergeant, inspector, superintendent]\n"), "escalation:",
         "`chain` (one chain for every agency) was replaced in policy 2026.5 by `chains`"),
        (("    severity: high\n    owner_role: missing_persons_coordinator\n    work: {mode: always}\n",
          "    severity: high\n    owner_role: partner_education\n    work: {mode: always}\n"),
         "    owner_role: partner_education",
         "an escalation chain for education (the agency of M4's owner partner_education) under escalation.chains"),
    ],
)  # fmt: skip
def test_a_chain_naming_another_agencys_role_or_an_unknown_one_is_refused_with_its_line(
    tmp_path: Path, change: tuple[str, str], needle: str, expected: str
) -> None:
    running = current_policy()
    text = TEXT.replace(*change, 1)
    assert text != TEXT
    path = tmp_path / "force.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as refused:
        install_policy(path)
    message = str(refused.value)
    assert f"{path}:{_line_of(text, needle)}:" in message and expected in message, message
    assert current_policy() is running
