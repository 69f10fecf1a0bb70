"""`--describe`: the distributions of a generated county, as plain text."""

from __future__ import annotations

from collections import Counter

from safetynet.synth.config import RATES
from safetynet.synth.generator import Summary

# Clauses listed in the truth because the situation exists, not because a rate planted it.
DETECTIONS = {"X2": "adult linked to 2+ children with exploitation markers (one entry per child)"}

_BANDS = ((1, 1), (2, 2), (3, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, 10**9))


def describe(summary: Summary) -> str:
    """Returns a multi-line report: people, records per source and kind, ages, missing episodes
    per child, events per year by type and planted failures by clause."""
    lines: list[str] = []
    add = lines.append
    add(f"county: {summary.people:,} people in {summary.households:,} households; {summary.children:,} children")
    add(
        f"  twin pairs {summary.twins:,}; exploitation networks {summary.networks} "
        f"({summary.network_adults} adults, {summary.network_children} children)"
    )
    add("children by age: " + ", ".join(f"{band} {summary.ages[band]:,}" for band in ("0-4", "5-10", "11-15", "16-17")))
    add(f"records: {summary.records:,} ({summary.persons:,} person records)")
    add("  by kind: " + ", ".join(f"{k} {n:,}" for k, n in sorted(summary.by_kind.items())))
    add("  by source: " + ", ".join(f"{k} {n:,}" for k, n in sorted(summary.by_source.items())))
    episodes = summary.episodes
    total = sum(episodes.values())
    add(f"missing: {total:,} episodes, {len(episodes):,} children")
    histogram = Counter[str]()
    for n in episodes.values():
        for lo, hi in _BANDS:
            if lo <= n <= hi:
                histogram[f"{lo}" if lo == hi else (f"{lo}-{hi}" if hi < 10**9 else f"{lo}+")] += 1
    labels = [f"{lo}" if lo == hi else (f"{lo}-{hi}" if hi < 10**9 else f"{lo}+") for lo, hi in _BANDS]
    add("  children by episodes: " + ", ".join(f"{label}: {histogram[label]}" for label in labels))
    top = sorted(episodes.values(), reverse=True)[:5]
    frequent = [key for key, n in episodes.items() if n >= 20]
    in_homes = sum(1 for key in frequent if key in summary.in_children_home)
    add(
        f"  most episodes for one child: {', '.join(map(str, top))}; "
        f"{len(frequent)} children with 20+ ({in_homes} living in children's homes)"
    )
    years = sorted({y for y, _ in summary.events_by_year})
    types = sorted({t for _, t in summary.events_by_year})
    add("events per year by type: " + "  ".join(f"{y:>6}" for y in years))
    for t in types:
        add(f"  {t:<20}" + "  ".join(f"{summary.events_by_year.get((y, t), 0):>6,}" for y in years))
    per_type: Counter[str] = Counter()
    for (_year, event_type), n in summary.events_by_year.items():
        per_type[event_type] += n
    scale = 1000 / max(summary.children, 1) / max(summary.years, 1)
    shown = ("incident", "missing_report", "referral", "crime", "custody")
    add("per 1,000 children a year: " + ", ".join(f"{t} {per_type[t] * scale:.1f}" for t in shown))
    add("planted failures by clause:")
    clauses = sorted(summary.failures)
    for clause in clauses:
        meaning = next((spec[2] for spec in RATES.values() if clause in spec[1].split("/")), DETECTIONS.get(clause, ""))
        add(f"  {clause:<5} {summary.failures[clause]:>7,}  {meaning}")
    add(f"written in {summary.seconds:.1f}s ({summary.records / max(summary.seconds, 1e-9):,.0f} records/s)")
    return "\n".join(lines)
