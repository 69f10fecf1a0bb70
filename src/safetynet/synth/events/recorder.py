"""The simulation's state and the helpers every domain writes through.

`Recorder` holds what the domains share (the staff pools, the planted-failure counts, the
children's police history, queued referrals, the truth's `failures` and `networks`) and writes
events, markers and plans through `emit`; each domain module is a function of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from safetynet.synth import names
from safetynet.synth.events.texts import BLAMING_PHRASES
from safetynet.synth.world import (
    DAY,
    GAZETTEER,
    HOUR,
    MISPERS,
    RMS,
    Human,
    World,
    fmt_d,
    fmt_dt,
)

Ref = dict[str, str]
Record = dict[str, Any]


class Recorder:
    """The state shared by the domains of a simulation of a built `World`, and its writers."""

    def __init__(self, world: World, emit: Callable[[Record], None]) -> None:
        self.w = world
        self.rng = world.rng
        self.emit_record = emit
        self.failures: list[dict[str, Any]] = []
        self.networks: list[dict[str, Any]] = []
        self.rate = world.cfg.rates
        self.end = world.end
        self.start = world.start
        self.years = world.cfg.years
        self._officers()
        self.event_counts: dict[tuple[int, str], int] = {}
        self.episodes: dict[str, int] = {}
        self.network_of: dict[str, dict[str, Any]] = {}
        self.planted: dict[str, int] = {}
        self.emerging_of: dict[str, dict[str, Any]] = {}
        self.screened: set[str] = set()
        # What X1 counts, per child key (see `exploitation.label_unscreened`).
        self.indicators: dict[str, set[str]] = {}
        self.intelligence_times: dict[str, list[int]] = {}
        self.queued_referrals: dict[str, list[tuple[int, list[str], list[Ref] | None]]] = {}

    # -- staff ---------------------------------------------------------------------------

    def _officers(self) -> None:
        w = self.w

        def make(prefix: str, rank: str, role: str, count: int, organisation: str = "police") -> list[dict[str, str]]:
            out = []
            for _ in range(count):
                collar = w.rng.randint(1000, 9999)
                surname = w.pick(names.SURNAME_OF_OFFICERS)
                name = f"{prefix} {collar} {surname}" if prefix else f"{w.pick('ABCDEFGHJKLMNPRSTW')}. {surname}"
                person = {"name": name, "role": role, "rank": rank, "organisation": organisation}
                if not rank:
                    del person["rank"]  # partner staff hold no police rank
                out.append(person)
            return out

        self.constables = make("PC", "constable", "response_officer", 60)
        self.call_handlers = make("", "staff", "call_handler", 15)
        self.sergeants = make("PS", "sergeant", "sergeant", 20)
        self.inspectors = make("Insp", "inspector", "inspector", 8)
        self.mash_officers = make("DC", "constable", "mash_officer", 8)
        self.detectives = make("DC", "constable", "exploitation_coordinator", 10)
        self.custody_officers = make("PS", "sergeant", "custody_officer", 8)
        self.ppu_officers = make("DC", "constable", "public_protection_officer", 6)
        self.mp_coordinators = make("", "staff", "missing_persons_coordinator", 4)
        self.social_workers = make("", "", "partner_social_worker", 25, "csc")

    def staff(self, pool: list[dict[str, str]]) -> dict[str, str]:
        return dict(self.w.pick(pool))

    # -- output helpers ------------------------------------------------------------------

    def fail(self, clause: str, child: Human, record: Ref | None) -> None:
        self.failures.append({"clause": clause, "person": child.key, "record": record})

    def stamp(self, record: Record, last_change: int) -> None:
        record["recorded_at"] = fmt_dt(min(self.end, last_change))

    def emit_event(
        self,
        source: str,
        prefix: str,
        event_type: str,
        occurred: int,
        *,
        participants: list[tuple[Ref, str]],
        details: Record,
        summary: str,
        by: dict[str, str],
        children: list[Human],
        ended: int | None = None,
        reported: int | None = None,
        location: str | None = None,
        linked: list[Ref] | None = None,
        last_change: int | None = None,
        event_id: str | None = None,
    ) -> Ref:
        """Writes one event and returns its reference; flags blaming words it contains (LANG)."""
        eid = event_id or self.w.next_id(prefix)
        record: Record = {"kind": "event", "source": source, "id": eid, "recorded_at": ""}
        record["event_type"] = event_type
        record["occurred_at"] = fmt_dt(occurred)
        if ended is not None:
            record["ended_at"] = fmt_dt(ended)
        if reported is not None:
            record["reported_at"] = fmt_dt(reported)
        if location is not None:
            record["location"] = {"source": GAZETTEER, "id": location}
        record["recorded_by"] = by
        record["summary"] = summary
        record["participants"] = [{"person": ref, "role": role} for ref, role in participants]
        if linked:
            record["linked_events"] = linked
        record["details"] = details
        self.stamp(record, last_change or (ended or occurred) + 2 * HOUR)
        ref = {"source": source, "id": eid}
        self._check_language(record, children, ref)
        if source in (RMS, MISPERS):
            # Police systems now hold history for these children (what H2's triage must find).
            for child in children:
                child.police_times.append(occurred)
        year = time.gmtime(occurred).tm_year
        key = (year, event_type)
        self.event_counts[key] = self.event_counts.get(key, 0) + 1
        self.emit_record(record)
        return ref

    def _check_language(self, record: Record, children: list[Human], ref: Ref) -> None:
        text = _texts(record).lower()
        if any(p in text for p in BLAMING_PHRASES):
            for child in children:
                self.fail("LANG", child, ref)

    def plant(self, name: str) -> bool:
        """Returns whether to plant the named failure at this opportunity.

        The first opportunity for each failure always plants it (unless its rate is 0), so
        even a small county shows every clause it has the events for.
        """
        rate = self.rate[name]
        if rate <= 0:
            return False
        if name not in self.planted:
            self.planted[name] = 1
            return True
        if self.rng.random() < rate:
            self.planted[name] += 1
            return True
        return False

    def blaming(self, text: str, sentences: tuple[str, ...]) -> tuple[str, bool]:
        """Returns `text`, with a victim-blaming sentence appended at the configured rate."""
        if self.plant("victim_blaming"):
            return f"{text} {self.w.pick(sentences)}", True
        return text, False

    def marker(self, h: Human, marker_type: str, start: int, *, linked: Human | None = None, notes: str = "") -> Ref:
        w = self.w
        mid = w.next_id("MK")
        record: Record = {
            "kind": "marker",
            "source": RMS,
            "id": mid,
            "recorded_at": "",
            "person": w.person_ref(h, RMS),
            "marker_type": marker_type,
            "from": fmt_d(start),
            "to": None,
        }
        if linked is not None:
            record["linked_person"] = w.person_ref(linked, RMS)
        if marker_type in ("cse_risk", "cce_risk"):
            record["grading"] = {"source": 2, "assessment": w.pick("BC"), "handling": "P"}
            self.screened.add(h.key)
        elif marker_type in _INDICATOR_MARKERS:
            self.indicators.setdefault(h.key, set()).add(_INDICATOR_MARKERS[marker_type])
        record["notes"] = notes
        self.stamp(record, start + DAY)
        self.emit_record(record)
        return {"source": RMS, "id": mid}

    def plan(
        self,
        c: Human,
        source: str,
        plan_type: str,
        created: int,
        *,
        content: str,
        associates: list[Ref] | None = None,
        places: list[str] | None = None,
        owner: str,
    ) -> Ref:
        """Writes a current plan (reviewed: due after the county's end) and returns its reference."""
        w = self.w
        pid = w.next_id("PLN")
        record: Record = {
            "kind": "plan",
            "source": source,
            "id": pid,
            "recorded_at": "",
            "plan_type": plan_type,
            "person": w.person_ref(c, source),
            "created_at": fmt_d(created),
            "review_due": fmt_d(self.end + int(w.rng.uniform(10, 80) * DAY)),
            "associates": associates or [],
            "places": [{"source": GAZETTEER, "id": p} for p in (places or [])],
            "content": content,
            "owner": owner,
        }
        self.stamp(record, self.end - int(w.rng.uniform(1, 60) * DAY))
        self.emit_record(record)
        return {"source": source, "id": pid}

    def queue_referral(self, c: Human, t: int, concerns: list[str], linked: list[Ref] | None = None) -> None:
        """Queues a referral; all of a child's referrals are triaged in time order by `mash.referrals`,
        so the cumulative count (H3) and the police history (H2) are complete when each is graded."""
        self.queued_referrals.setdefault(c.key, []).append((t, concerns, linked))


# Warning markers that are exploitation indicators (standards.md section 7), as X1 counts them.
_INDICATOR_MARKERS = {
    "drugs": "drugs or alcohol",
    "alcohol": "drugs or alcohol",
    "self_harm": "self-harm",
    "weapons": "weapons",
    "trafficking": "trafficking",
}


def _texts(record: Record) -> str:
    """Returns the free text of an event (summary, rationales, review rationales) joined."""
    details = record.get("details") or {}
    parts = [record.get("summary") or "", str(details.get("risk_rationale") or "")]
    for review in details.get("reviews") or ():
        parts.append(str(review.get("rationale") or ""))
    return " ".join(parts)
