"""The small county looks like a county force: heavy-tailed missing, every kind of event, all sources."""

from __future__ import annotations

from collections import Counter

from tests.synth.conftest import County
from tests.synth.test_interchange_shape import EVENT_TYPES


def test_missing_is_heavy_tailed_most_children_once_a_few_very_often(county: County) -> None:
    episodes = county.summary.episodes
    counts = Counter(episodes.values())
    assert counts.most_common(1)[0][0] == 1
    assert counts[1] / len(episodes) >= 0.3  # 57% at the default 150,000 children; a small sample here
    assert max(episodes.values()) >= 50
    worst = max(episodes, key=lambda key: episodes[key])
    assert worst in county.summary.in_children_home


def test_episode_counts_in_the_summary_match_the_missing_reports_written(county: County) -> None:
    assert sum(county.summary.episodes.values()) == len(county.events("missing_report"))


def test_every_event_type_and_every_source_system_appears(county: County) -> None:
    # A disruption plan and an exploitation screening are written in safetynet (docs/exploitation.md);
    # the generator's source systems send neither.
    assert {r["event_type"] for r in county.by_kind("event")} == EVENT_TYPES - {"disruption_plan", "screening"}
    assert {r["source"] for r in county.by_kind("person")} == {"rms", "mispers", "csc", "health", "education"}


def test_children_of_every_age_and_events_in_every_year(county: County) -> None:
    assert all(county.summary.ages[band] > 100 for band in ("0-4", "5-10", "11-15", "16-17"))
    years = Counter(year for (year, _type) in county.summary.events_by_year)
    assert len(years) >= 3


def test_birthdays_are_spread_over_the_calendar(county: County) -> None:
    # 2,000 children over 18 years is about 0.3 a day: a few share a birthday (twins, chance),
    # none is a default or a clamp.
    births = Counter(r["date_of_birth"] for r in county.by_kind("person") if r["source"] == "health")
    assert max(births.values()) <= 6, births.most_common(3)
    assert len(births) > 1500  # about 1,700 if uniform; ages are not


def test_police_and_partners_hold_a_minority_of_children_health_holds_them_all(county: County) -> None:
    by_source = Counter(r["source"] for r in county.by_kind("person"))
    assert by_source["health"] == 2000
    assert 0 < by_source["mispers"] < by_source["rms"] < by_source["health"] * 2
