"""The `varied` profile: the same practice failures drawn with other shapes.

The default profile writes every record the way its own code happens to: a staff member's
rank in `role` as well as `rank`, every optional field filled, one wording per habit. The risk
rules were written against that output, so they can read the generator's habits instead of
the interchange format's meaning. `safetynet generate --profile varied` writes the same county
(the same seed gives the same people and the same planted failures) with other shapes, each
valid against docs/interchange.md and meaning the same thing:

- staff objects `{"role": "police", "rank": "sergeant"}` or with the rank only, instead of the
  rank repeated in `role`;
- optional fields left out (`missing_from`, `reported_by`, `found_by`, `returned_of_own_accord`,
  `prevention_interview_at`);
- other wording: the retired grades `absent` / `no_apparent_risk` for "very low", the depicted
  child of an indecent-image offence as the crime's `subject` rather than its `victim`;
- a missing report with no initial grade whose reviews grade it below the floor (M1, and the
  missing grade is an M2 breach of the 15-minute clock);
- adults found with several missing children at one place and time (a hotel), recorded by the
  police or by children's social care (X2: the adult is linked to each child by the record);
- an online sexual offence where the pupil who shared the image is a child too (O1 for them
  as well as for the child depicted).

The transformation draws from its own random stream, so the default profile is untouched
(byte-identical output and truth for the same seed). Frozen: the rules change to meet it, it
does not change to meet the rules.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

from safetynet.synth.events.incidents import child_contact, thrive
from safetynet.synth.events.recorder import Record, Recorder, Ref
from safetynet.synth.world import CSC, DAY, HOUR, RMS, age_at

# Police ranks a staff object may carry; a varied record moves them out of `role`.
_RANKS = ("constable", "sergeant", "inspector", "chief_inspector", "superintendent", "staff")
_OPTIONAL_MISSING = ("missing_from", "reported_by", "found_by", "returned_of_own_accord", "prevention_interview_at")
_BELOW_FLOOR = ("very_low", "low", "medium")


class Varied:
    """Rewrites records on their way to the file and adds the patterns the default never draws.

    `wrap(emit)` returns the writer the simulation uses; `finish(sim)` (after the simulation,
    before persons are written) adds the extra events and completes the truth."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 26)  # its own stream: the default's draws are untouched
        self.ungraded: list[Ref] = []  # missing reports whose initial grade was left out
        self.online: list[tuple[Ref, Ref]] = []  # (crime, the sharer's person record)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def wrap(self, emit: Callable[[Record], None]) -> Callable[[Record], None]:
        def write(record: Record) -> None:
            if record.get("kind") == "event":
                record = self.event(copy.deepcopy(record))
            emit(record)

        return write

    # -- shapes ----------------------------------------------------------------------------

    def staff(self, person: Any) -> Any:
        """A staff object with the rank moved out of `role` (or `role` left out)."""
        if not isinstance(person, dict) or person.get("rank") not in _RANKS or person.get("organisation") != "police":
            return person
        draw = self.rng.random()
        if draw < 0.5:
            return {**person, "role": "police"}
        if draw < 0.7:
            return {k: v for k, v in person.items() if k != "role"}
        return person

    def event(self, record: Record) -> Record:
        record["recorded_by"] = self.staff(record.get("recorded_by"))
        details = record.get("details")
        if not isinstance(details, dict):
            return record
        if record.get("event_type") == "missing_report":
            self.missing_report(record, details)
        elif record.get("event_type") == "crime" and details.get("online") and details.get("sexual_offence"):
            self.online_offence(record)
        for key in ("officer_in_charge", "designated_officer"):
            if isinstance(details.get(key), dict):
                details[key] = self.staff(details[key])
        for review in details.get("reviews") or []:
            if isinstance(review, dict):
                review["by"] = self.staff(review.get("by"))
        if isinstance(details.get("triage"), dict):
            details["triage"]["by"] = self.staff(details["triage"].get("by"))
        return record

    def missing_report(self, record: Record, details: Record) -> None:
        for key in _OPTIONAL_MISSING:
            if key in details and self.chance(0.25):
                del details[key]
        initial = details.get("initial_risk")
        if initial in _BELOW_FLOOR and self.chance(0.35):
            # Graded by the reviews only: the report carries no grade of its own.
            del details["initial_risk"]
            self.ungraded.append({"source": record["source"], "id": record["id"]})
        elif initial == "low" and self.chance(0.3):
            details["initial_risk"] = self.rng.choice(("absent", "no_apparent_risk"))
            for review in details.get("reviews") or []:
                if isinstance(review, dict) and review.get("risk") == "low":
                    review["risk"] = details["initial_risk"]

    def online_offence(self, record: Record) -> None:
        crime = {"source": record["source"], "id": record["id"]}
        for participant in record.get("participants") or []:
            if participant.get("role") == "suspect":
                self.online.append((crime, participant["person"]))
                if self.chance(0.5):
                    participant["role"] = "offender"
            elif participant.get("role") == "victim" and self.chance(0.5):
                participant["role"] = "subject"

    # -- extra patterns and the truth ----------------------------------------------------------

    def finish(self, sim: Recorder) -> None:
        """Adds the hotel pattern and the truth of the shapes drawn above."""
        owner = {(source, rid): h for h in sim.w.humans for source, ids in h.records.items() for rid in ids}
        planted = {(f["clause"], _key(f["record"])) for f in sim.failures}
        by_report = {_key(f["record"]): f["person"] for f in sim.failures if f["clause"] == "M1"}
        for ref in self.ungraded:
            person = by_report.get(_key(ref))
            if person is not None and ("M2", _key(ref)) not in planted:
                sim.failures.append({"clause": "M2", "person": person, "record": ref})
        o1 = {_key(f["record"]) for f in sim.failures if f["clause"] == "O1"}
        o1_people = {(f["person"], _key(f["record"])) for f in sim.failures if f["clause"] == "O1"}
        for crime, person_ref in self.online:
            sharer = owner.get((person_ref["source"], person_ref["id"]))
            if (
                _key(crime) in o1
                and sharer is not None
                and sharer.is_child
                and (sharer.key, _key(crime)) not in o1_people
            ):
                sim.failures.append({"clause": "O1", "person": sharer.key, "record": crime})
        _hotel_groups(sim, self.rng)


def _key(ref: Ref | None) -> tuple[str, str] | None:
    return (ref["source"], ref["id"]) if ref else None


def _hotel_groups(sim: Recorder, rng: random.Random) -> None:
    """Adults found with several missing children at one hotel at one time: one incident per
    group, written by the police or by children's social care, an X2 failure for each child."""
    w = sim.w
    recent = sim.end - 150 * DAY
    missing = [c for c in w.children if any(t >= recent for t in c.missing_times) and age_at(c.dob, sim.end) >= 11]
    adults = [a for a in w.humans if not a.is_child and 20 <= age_at(a.dob, sim.end) <= 60]
    if len(missing) < 3 or not adults or not w.hotels:
        return
    for _ in range(max(2, w.cfg.children // 400)):
        group = rng.sample(missing, 3)
        adult = rng.choice(adults)
        t = recent + int(rng.random() * 140 * DAY)
        source = CSC if rng.random() < 0.4 else RMS
        event_id = w.next_id("HOT" if source == CSC else "INC")
        ref = sim.emit_event(
            source,
            "INC",
            "incident",
            t,
            reported=t + int(rng.uniform(0.2, 2) * HOUR),
            location=rng.choice(w.hotels),
            by=sim.staff(sim.social_workers if source == CSC else sim.constables),
            participants=[(w.person_ref(adult, source), rng.choice(("associate", "co_located", "subject")))]
            + [(w.person_ref(c, source), "present_child") for c in group],
            details={
                "thrive": thrive(sim, "priority"),
                "children_present": True,
                "domestic_abuse": False,
                "child_contact": child_contact(sim, False),
            },
            summary=rng.choice(
                (
                    "Hotel staff concerned about a man who booked a room; three young people found with him.",
                    "Night manager called: several juveniles in a room with an older male.",
                    "Welfare check at hotel: adult present with three children reported missing.",
                )
            ),
            children=group,
            event_id=event_id,
        )
        for c in group:
            sim.fail("X2", c, ref)
