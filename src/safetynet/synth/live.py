"""The live county: new records a tick at a time, so the demo's county keeps moving (`safetynet feed`).

`LiveCounty(cast, seed=..., run=...)` writes, at each `tick(now)`, one or two interchange records
timed at `now`, in county-like proportions: children reported missing, reviewed and found;
MASH referrals received and triaged; domestic abuse incidents with children present; children
in custody; strategy discussions after red referrals. It keeps some children missing and some
referrals awaiting triage at all times (`MIN_OPEN`), so every role's first screen has live work
whose clocks run (a missing report's supervisor review is due within the hour, a red
referral's triage within four).

The records have the county generator's shapes and values: the same staff pools and
`emit_event` writer (`events.recorder.Recorder`), the same THRIVE, child contact, meeting
attendees and actions builders, the same rationales. It references existing people only by
the interchange references the caller passes in (`Cast`), and the new children it sometimes
creates, whose person records it sends first (`generator`'s person builder). Its ids carry
`LIVE-<run>-`, which no county id has (`PREFIX0000123`), so they never collide with the
county's nor with another run's. Like the generator, it is pure Python, imports nothing of
ours but `lib`, and the same seed, run, cast and times always give the same records.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from safetynet.synth import names
from safetynet.synth.config import make_config
from safetynet.synth.events.incidents import child_contact, thrive
from safetynet.synth.events.meetings import SUMMARIES, meeting_actions, meeting_attendees
from safetynet.synth.events.recorder import Record, Recorder, Ref
from safetynet.synth.events.texts import FREQUENCY_RATIONALES, HIGH_RATIONALES
from safetynet.synth.generator import person_record
from safetynet.synth.world import CSC, DAY, GAZETTEER, HOUR, MINUTE, MISPERS, RMS, YEAR, World, fmt_dt

MIN_OPEN = 3  # children missing and referrals awaiting triage at any time
NEW_CHILD_CHANCE = 0.06  # a missing report or referral about a child the county has not seen

# What a tick writes, by weight: about the county's mix of these records (docs/synth.md).
WEIGHTS: dict[str, int] = {
    "missing_report": 22,
    "missing_review": 14,
    "missing_found": 16,
    "referral": 18,
    "triage": 12,
    "domestic_abuse": 10,
    "custody": 4,
    "strategy_discussion": 4,
}
# The first minute (at a tick every 5 s): fresh work with running clocks for the sergeant (a
# supervisor review due within the hour), the MASH (a referral awaiting triage), the missing
# persons coordinator (a return home interview due in 72 h) and the custody officer; then by weight.
OPENING = (
    "missing_report",
    "referral",
    "missing_report",
    "referral",
    "missing_report",
    "referral",
    "missing_report",
    "domestic_abuse",
    "missing_found",
    "custody",
    "referral",
    "triage",
)
CONCERNS = ("neglect", "physical", "emotional", "domestic_abuse", "mental_health", "exploitation", "other")
REFERRERS = ("police", "school", "health visitor", "GP", "family member", "neighbour")
DECISIONS = {
    "red": "Strategy discussion today.",
    "amber": "Single assessment by social care.",
    "green": "Advice and signposting to early help.",
    "blue": "Recorded for information.",
}
OFFENCES = ("theft from a shop", "assault", "criminal damage", "possession of a bladed article")


@dataclass
class Cast:
    """The existing records a live county may reference: children's and adults' person records
    and gazetteer location ids (the caller reads them from the database)."""

    children: list[Ref]
    adults: list[Ref]
    places: list[str]


@dataclass
class _Open:
    """A record still moving: a missing report not yet found, a referral not yet triaged."""

    record: Record
    child: Ref
    red: bool = False
    reviews: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class LiveCounty:
    """Writes the live records of one run (see the module docstring)."""

    def __init__(self, cast: Cast, *, seed: int, run: str) -> None:
        if not cast.children or not cast.adults or not cast.places:
            raise ValueError("a live county needs existing children, adults and places to reference")
        self.cast = Cast(list(cast.children), list(cast.adults), list(cast.places))
        self.run = run
        self.world = World(make_config(children=1, years=1, seed=seed))
        self.world.public_places = self.cast.places
        self.out: list[Record] = []
        self.sim = Recorder(self.world, self.out.append)
        self.missing: list[_Open] = []
        self.referrals: list[_Open] = []
        self.red_triaged: list[_Open] = []
        self.sent = 0
        self.ticks = 0

    def tick(self, now: dt.datetime) -> list[Record]:
        """The records of one tick, all recorded at `now` (to the second; ticks must be a second apart)."""
        ts = int(now.timestamp())
        self.sim.end = ts  # `Recorder.stamp` records at min(end, last change): now
        self.out.clear()
        what = OPENING[self.ticks] if self.ticks < len(OPENING) else self._choose()
        self.ticks += 1
        getattr(self, f"_{what}")(ts)
        self.sent += len(self.out)
        return list(self.out)

    def _choose(self) -> str:
        if len(self.missing) < MIN_OPEN:
            return "missing_report"
        if len(self.referrals) < MIN_OPEN:
            return "referral"
        options = dict(WEIGHTS)
        if len(self.missing) <= MIN_OPEN:
            options.pop("missing_found")
        if len(self.referrals) <= MIN_OPEN:
            options.pop("triage")
        if not self.red_triaged:
            options.pop("strategy_discussion")
        names = list(options)
        return self.world.rng.choices(names, weights=[options[n] for n in names])[0]

    # -- people -----------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        return self.world.next_id(f"LIVE-{self.run}-{prefix}", width=6)

    def _child(self, ts: int, source: str) -> Ref:
        """An existing child, or now and then a new one whose person record is sent first."""
        w = self.world
        if not w.chance(NEW_CHILD_CHANCE):
            return dict(w.pick(self.cast.children))
        heritage = w.rng.choices(w.heritages, weights=w.heritage_weights)[0]
        h = w.new_human(
            sex=w.pick(("female", "male")),
            dob=ts - int(w.rng.uniform(11, 17) * YEAR),
            heritage=heritage,
            family=w.pick(names.SURNAMES.get(heritage) or names.SURNAMES["british"]),
            is_child=True,
        )
        h.homes = [[w.pick(self.cast.places), ts - int(w.rng.uniform(30, 900) * DAY), None, "home"]]
        rid = self._id("P")
        record = person_record(w, h, source, rid)
        record["recorded_at"] = fmt_dt(ts)
        self.out.append(record)
        ref = {"source": source, "id": rid}
        self.cast.children.append(ref)
        return ref

    # -- missing -----------------------------------------------------------------------------

    def _missing_report(self, ts: int) -> None:
        """A child reported missing minutes ago: no review yet, so the sergeant's 1-hour clock runs."""
        w, sim = self.world, self.sim
        child = self._child(ts, MISPERS)
        last_seen = ts - int(w.rng.uniform(1, 5) * HOUR)
        reported = ts - int(w.rng.uniform(2, 15) * MINUTE)
        low = w.chance(0.3)
        details: Record = {
            "missing_from": w.pick(("home", "home", "care", "school")),
            "reported_by": w.pick(("parent", "residential staff", "foster carer")),
            "last_seen_at": fmt_dt(last_seen),
            "last_seen_location": {"source": GAZETTEER, "id": w.pick(self.cast.places)},
            "initial_risk": w.pick(("medium", "low")) if low else "high",
            "risk_rationale": w.pick(FREQUENCY_RATIONALES if low else HIGH_RATIONALES),
            "reviews": [],
            "lines_of_enquiry": [
                {
                    "text": text,
                    "location": {"source": GAZETTEER, "id": w.pick(self.cast.places)},
                    "person": None,
                    "done_at": None,
                }
                for text in ("Visit mother's address.", "Speak to friends named by carers.")
            ],
        }
        sim.emit_event(
            MISPERS,
            "MIS",
            "missing_report",
            last_seen,
            reported=reported,
            by=sim.staff(sim.call_handlers),
            participants=[(child, "missing_person")],
            details=details,
            summary="Missing episode reported for this child.",
            children=[],
            event_id=self._id("MIS"),
            last_change=ts,
        )
        self.missing.append(_Open(self.out[-1], child))

    def _missing_review(self, ts: int) -> None:
        """The next review of an open report: the sergeant's, then the inspector's, then every few hours."""
        w, sim = self.world, self.sim
        episode = w.pick(self.missing)
        record = _version(episode.record, ts)
        details = record["details"]
        by = sim.staff((sim.sergeants, sim.inspectors)[min(episode.reviews, 1)])
        rationale = "Agree the grading; plan agreed." if episode.reviews else details["risk_rationale"]
        details["reviews"].append(
            {
                "at": fmt_dt(ts),
                "by": by,
                "risk": details["initial_risk"],
                "rationale": rationale,
                "actions": ["Deploy to last seen location", "Check phone and social media"],
            }
        )
        if "officer_in_charge" not in details:
            details["officer_in_charge"] = {**sim.staff(sim.constables), "assigned_at": fmt_dt(ts)}
        episode.reviews += 1
        self._send(episode, record)

    def _missing_found(self, ts: int) -> None:
        """A missing child found or returned: the episode ends and the return home interview is offered."""
        w = self.world
        episode = self.missing.pop(int(w.rng.random() * len(self.missing)))
        record = _version(episode.record, ts)
        details = record["details"]
        record["ended_at"] = fmt_dt(ts - int(w.rng.uniform(5, 40) * MINUTE))
        details["found_at"] = record["ended_at"]
        details["found_location"] = {"source": GAZETTEER, "id": w.pick(self.cast.places)}
        details["found_by"] = "police" if w.chance(0.4) else "returned"
        details["returned_of_own_accord"] = details["found_by"] == "returned"
        details["return_home_interview"] = {"offered_at": fmt_dt(ts), "by": "Return Home Interview Service"}
        self._send(episode, record)

    # -- MASH --------------------------------------------------------------------------------

    def _referral(self, ts: int) -> None:
        """A referral received now, not yet triaged (the MASH's red clock is four hours)."""
        w, sim = self.world, self.sim
        child = self._child(ts, CSC)
        concern = [w.pick(CONCERNS)]
        sim.emit_event(
            CSC,
            "REF",
            "referral",
            ts,
            by=sim.staff(sim.mash_officers),
            participants=[(child, "subject")],
            summary="Referral to the multi-agency safeguarding hub.",
            details={"concern": concern, "referrer": w.pick(REFERRERS), "received_at": fmt_dt(ts)},
            children=[],
            event_id=self._id("REF"),
            last_change=ts,
        )
        red = "exploitation" in concern or w.chance(0.15)
        self.referrals.append(_Open(self.out[-1], child, red=red))

    def _triage(self, ts: int) -> None:
        """The oldest referral awaiting triage is graded, with the research the grade rests on."""
        w, sim = self.world, self.sim
        referral = self.referrals.pop(0)
        record = _version(referral.record, ts)
        grade = "red" if referral.red else w.pick(("amber", "green", "green", "blue"))
        research = ["local_authority", "police_systems"] + (["national"] if w.chance(0.2) else [])
        record["details"]["triage"] = {
            "grade": grade,
            "at": fmt_dt(ts),
            "by": sim.staff(sim.mash_officers),
            "research": research,
            "decision": DECISIONS[grade],
        }
        record["details"]["outcome"] = DECISIONS[grade]
        self._send(referral, record)
        if grade == "red":
            self.red_triaged.append(referral)

    def _strategy_discussion(self, ts: int) -> None:
        """A strategy discussion about a child whose referral was graded red."""
        sim = self.sim
        referral = self.red_triaged.pop(0)
        chair = sim.staff(sim.social_workers)
        actions, _overdue = meeting_actions(sim, ts, [])
        details: Record = {
            "meeting_type": "strategy_discussion",
            "attendees": meeting_attendees(sim, chair, "strategy_discussion"),
            "subjects": [referral.child],
            "decisions": ["Section 47 enquiry."],
            "actions": actions,
            "outcome_recorded": True,
            "outcome_recorded_at": fmt_dt(ts),
        }
        sim.emit_event(
            CSC,
            "MTG",
            "meeting",
            ts - HOUR,
            ended=ts,
            by=chair,
            participants=[],
            details=details,
            summary=SUMMARIES["strategy_discussion"],
            children=[],
            linked=[_ref(referral.record)],
            event_id=self._id("MTG"),
            last_change=ts,
        )

    # -- police ------------------------------------------------------------------------------

    def _domestic_abuse(self, ts: int) -> None:
        """A domestic abuse incident attended now, a child present (Operation Encompass's cue)."""
        w, sim = self.world, self.sim
        victim, perpetrator = w.pick(self.cast.adults), w.pick(self.cast.adults)
        present = w.pick(self.cast.children)
        grade = "emergency" if w.chance(0.6) else "priority"
        sim.emit_event(
            RMS,
            "INC",
            "incident",
            ts - int(w.rng.uniform(20, 90) * MINUTE),
            location=w.pick(self.cast.places),
            by=sim.staff(sim.constables),
            participants=[(victim, "victim"), (perpetrator, "perpetrator"), (present, "present_child")],
            details={
                "thrive": thrive(sim, grade),
                "children_present": True,
                "domestic_abuse": True,
                "child_contact": child_contact(sim, w.chance(0.2)),
            },
            summary="Domestic abuse: verbal argument escalated to assault; children in the house.",
            children=[],
            event_id=self._id("INC"),
            last_change=ts,
        )

    def _custody(self, ts: int) -> None:
        """A child arrested and brought into custody; the appropriate adult is on the way."""
        w, sim = self.world, self.sim
        arrested = ts - int(w.rng.uniform(30, 90) * MINUTE)
        arrived = arrested + int(w.rng.uniform(15, 25) * MINUTE)
        sim.emit_event(
            RMS,
            "CUS",
            "custody",
            arrested,
            location=w.pick(self.cast.places),
            by=sim.staff(sim.custody_officers),
            participants=[(w.pick(self.cast.children), "detainee")],
            details={
                "arrested_at": fmt_dt(arrested),
                "arrived_at": fmt_dt(arrived),
                "appropriate_adult_requested_at": fmt_dt(arrived + int(w.rng.uniform(5, 20) * MINUTE)),
                "reviews": [],
                "bail_refused": False,
            },
            summary=f"Child detained on suspicion of {w.pick(OFFENCES)}.",
            children=[],
            event_id=self._id("CUS"),
            last_change=ts,
        )

    def _send(self, item: _Open, record: Record) -> None:
        item.record = record
        self.out.append(record)


def _version(record: Record, ts: int) -> Record:
    """A new version of a sent record, recorded at `ts`."""
    newer = copy.deepcopy(record)
    newer["recorded_at"] = fmt_dt(ts)
    return newer


def _ref(record: Record) -> Ref:
    return {"source": record["source"], "id": record["id"]}
