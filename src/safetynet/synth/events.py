"""What happens in the county over the period, and how it was recorded.

`Simulation.run()` walks the world and writes events, markers, orders and plans through
`emit`; each practice failure it plants is added to `failures` only when the records it
writes really show it (the risk engine's recall is measured against that list). Compliant
records are written to satisfy the same clauses, so a finding on them is a false positive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from safetynet.synth import names
from safetynet.synth.world import (
    CSC,
    DAY,
    GAZETTEER,
    HOUR,
    MINUTE,
    MISPERS,
    RMS,
    YEAR,
    Human,
    World,
    age_at,
    fmt_d,
    fmt_dt,
)

Ref = dict[str, str]
Record = dict[str, Any]

# Victim-blaming phrases (brief.md, Language). Planted text uses them verbatim; compliant
# text never contains any of them.
BLAMING_PHRASES = (
    "regular missing person",
    "missing through choice",
    "will always return",
    "usual parameters",
    "own volition",
    "putting themselves at risk",
    "streetwise",
    "lifestyle choice",
    "consensual",
)
MISSING_BLAMING = (
    "She is a regular missing person.",
    "Missing through choice.",
    "Carers say he will always return when he runs out of money.",
    "Believed to be in her usual parameters.",
    "Left of her own volition.",
    "Young people like this are putting themselves at risk.",
    "He is streetwise and knows the area.",
    "Staff describe going missing as a lifestyle choice.",
)
INCIDENT_BLAMING = (
    "He is streetwise and can look after himself.",
    "Staff describe this as a lifestyle choice.",
    "Young people like this are putting themselves at risk.",
    "Went with the adults of her own volition.",
)
# Rationales that lower a missing child's grade by citing how often they go missing (M1).
FREQUENCY_RATIONALES = (
    "He is a regular missing person and always comes back.",
    "Goes missing most weekends; graded medium as on previous occasions.",
    "Known to go missing frequently from placement and returns the next day.",
    "Has been reported missing many times before with no harm coming to her.",
    "Repeat missing person, pattern unchanged, graded low.",
)
HIGH_RATIONALES = (
    "Child; force policy grades every missing child high. Vulnerable due to age and history.",
    "Graded high per policy: looked-after child, markers for exploitation on record.",
    "High: under 18, phone off, not with known friends, concern for welfare.",
    "High: missing overnight, known associations with adults of concern.",
)
DEMEANOURS = (
    "quiet and withdrawn",
    "upset and tearful",
    "calm",
    "anxious",
    "angry",
    "clingy to mother",
    "asleep on arrival",
)
VOICES = (
    "Said she was scared when the shouting started and hid upstairs.",
    "Told the officer he wants his dad to stop coming round.",
    "Said it happens a lot and she covers her ears.",
    "Did not want to talk about it; said he was fine and wanted to go to school.",
    "Said she worries about her mum when she is at school.",
    "Said he feels safe at his nan's house.",
)
WISHES = (
    "wants to stay at home with mum",
    "wants to live with nan",
    "wants the arguing to stop",
    "wants to see dad but not at home",
)
PLACES_OF_CONCERN = ("an address of an adult of concern", "a hotel", "a known drug address")


def next_school_day_start(ts: int) -> int:
    """Returns 09:00 UTC on the first weekday whose 09:00 is after `ts` (school holidays ignored)."""
    day = ts - ts % DAY
    candidate = day + 9 * HOUR
    while candidate <= ts or time.gmtime(candidate).tm_wday >= 5:
        candidate += DAY
    return candidate


def working_days_after(ts: int, days: int) -> int:
    """Returns the moment `days` working days (Mon-Fri) after `ts`."""
    t = ts
    left = days
    while left > 0:
        t += DAY
        if time.gmtime(t).tm_wday < 5:
            left -= 1
    return t


class Simulation:
    """Writes the county's events for a built `World` through `emit`."""

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
        self.scale = world.cfg.children / 150_000
        self._officers()
        self.event_counts: dict[tuple[int, str], int] = {}
        self.episodes: dict[str, int] = {}
        self.network_adults: dict[str, list[Human]] = {}
        self.network_of: dict[str, dict[str, Any]] = {}
        self.planted: dict[str, int] = {}
        self.emerging_of: dict[str, dict[str, Any]] = {}
        self.screened: set[str] = set()
        # What X1 counts, per child key (see `label_unscreened`).
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

    def _stamp(self, record: Record, last_change: int) -> None:
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
        self._stamp(record, last_change or (ended or occurred) + 2 * HOUR)
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

    def thrive(self, grade: str) -> dict[str, str]:
        parts = {
            "threat": "Risk of further violence in the home.",
            "harm": "Physical and emotional harm to adults and children present.",
            "risk": "Likely to recur without intervention.",
            "investigation": "Statements, body-worn video, house-to-house, previous history.",
            "vulnerability": "Children in the household; victim isolated.",
            "engagement": "Victim engaged; referral to domestic abuse service offered.",
            "grade": grade,
        }
        # Call handlers often leave parts blank: any part may be missing (spec).
        for part in ("threat", "harm", "investigation", "vulnerability", "engagement"):
            if self.w.chance(0.12):
                del parts[part]
        return parts

    def child_contact(self, planted: bool) -> dict[str, Any]:
        w = self.w
        if planted:
            contact: dict[str, Any] = {"spoke_to_child": False, "spoke_alone": False, "bwv_used": w.chance(0.3)}
            if w.chance(0.5):
                contact["demeanour"] = w.pick(DEMEANOURS)
            return contact
        return {
            "spoke_to_child": True,
            "spoke_alone": w.chance(0.6),
            "voice_of_child": w.pick(VOICES),
            "demeanour": w.pick(DEMEANOURS),
            "wishes_feelings": w.pick(WISHES),
            "bwv_used": True,
        }

    def living_children(self, adult: Human, ts: int, home: str | None) -> list[Human]:
        return [c for c in adult.children if c.dob < ts and c.home_at(ts) == home]

    # -- the whole period ----------------------------------------------------------------

    def run(self) -> None:
        """Simulates every kind of event; order is fixed so a seed gives the same county."""
        self.build_networks()
        self.build_sex_offenders()
        self.domestic_abuse()
        self.child_incidents()
        self.missing()
        self.crimes()
        self.online_offences()
        self.custody()
        self.police_protection()
        self.exploitation_records()
        self.referrals()
        self.child_markers()
        self.label_unscreened()

    # -- networks ------------------------------------------------------------------------

    def build_networks(self) -> None:
        """Adults associating with several children: CSE and CCE networks (truth: `networks`)."""
        w = self.w
        count = max(2, round(w.cfg.children / 3500))
        candidates = [c for c in w.children if 12 <= age_at(c.dob, w.end) <= 17 and c.tier >= 2]
        others = [c for c in w.children if 13 <= age_at(c.dob, w.end) <= 17 and c.tier < 2]
        w.rng.shuffle(candidates)
        w.rng.shuffle(others)
        used: set[str] = set()
        for n in range(count):
            kind = "cse" if n % 2 == 0 else "cce"
            town = w.random_town()
            base = w.start - int(w.rng.uniform(0, 1) * YEAR)
            adults: list[Human] = []
            shared_home = w.new_home(town)
            for _ in range(w.rng.randint(2, 4)):
                heritage = w.rng.choices(w.heritages, weights=w.heritage_weights)[0]
                adult = w.new_human(
                    sex="male" if w.chance(0.85) else "female",
                    dob=w.end - int(w.rng.uniform(19, 36) * YEAR),
                    heritage=heritage,
                    family=w.pick(names.SURNAMES[heritage]),
                    is_child=False,
                )
                adult.pnc = w.pnc_id(w.rng.randint(0, 25))
                adult.homes.append([shared_home if w.chance(0.5) else w.new_home(town), base, None, "home"])
                adult.markers.append("drugs" if kind == "cce" else "violence")
                adults.append(adult)
            kids: list[Human] = []
            want = w.rng.randint(3, 7)
            for pool in (candidates, others):
                for c in pool:
                    if len(kids) >= want:
                        break
                    if c.key in used:
                        continue
                    if pool is others and len(kids) >= 2 and w.chance(0.5):
                        continue
                    used.add(c.key)
                    kids.append(c)
            for c in kids:
                c.tier = 3
                c.markers.append("cse_risk" if kind == "cse" else "cce_risk")
                if kind == "cse" and c.care == "none" and w.chance(0.35):
                    c.care = "child_protection_plan"
                    c.csc_id = c.csc_id or f"CS{w.rng.randint(100000, 999999)}"
            # Emerging: younger children just drawn in, known only from unconfirmed intelligence
            # and a few recent missing episodes, with an adult partner at least five years older.
            oldest = min(adults, key=lambda a: a.dob)
            emerging: list[Human] = []
            wanted = w.rng.randint(1, 2)
            for c in others:
                if len(emerging) >= wanted:
                    break
                if c.key in used or age_at(c.dob, w.end) > 15 or age_at(oldest.dob, w.end) - age_at(c.dob, w.end) < 5:
                    continue
                used.add(c.key)
                emerging.append(c)
            net = {
                "id": f"N{n + 1:03d}",
                "type": kind,
                "adults": adults,
                "children": kids,
                "emerging": emerging,
                "places": [shared_home, w.pick(w.hotels) if w.hotels else shared_home],
                "since": base,
            }
            self.networks.append(net)
            for c in kids:
                self.network_of[c.key] = net
            for c in emerging:
                self.emerging_of[c.key] = net

    def build_sex_offenders(self) -> None:
        """Registered sex offenders with markers and visits; a few move in with a family (S1)."""
        w = self.w
        families = [hh for hh in w.households if hh.children and len(hh.adults) == 1]
        for _ in range(max(3, round(w.cfg.children * 0.006))):
            rso = w.new_human(
                sex="male",
                dob=w.end - int(w.rng.uniform(24, 72) * YEAR),
                heritage="british",
                family=w.pick(names.SURNAMES["british"]),
                is_child=False,
            )
            rso.pnc = w.pnc_id(w.rng.randint(0, 25))
            own_home = w.new_home(w.random_town())
            rso.homes.append([own_home, w.start - 3 * YEAR, None, "home"])
            w.rsos.append(rso)
            registered = w.start - int(w.rng.uniform(0.5, 10) * YEAR)
            marker = self.marker(
                rso, "registered_sex_offender", registered, notes="Registered sex offender; ARMS assessment on ViSOR."
            )
            if families and self.plant("sex_offender_with_child"):
                hh = families.pop(int(w.rng.random() * len(families)))
                mother = hh.adults[0]
                # Moves in after the family's last move, so they share the current home.
                settled = min(max(int(mother.homes[-1][1]), w.start + 30 * DAY), w.end - 10 * DAY)
                moved = w.when(settled, w.end - 5 * DAY)
                home = mother.home_at(moved)
                rso.homes[-1][2], rso.homes[-1][3] = moved, "previous"
                rso.homes.append([home, moved, None, "home"])
                rso.partner = mother
                w.relationships.append((RMS, rso, mother, "partner_of", moved, None))
                for child in hh.children:
                    if child.dob < w.end and child.home_at(w.end - DAY) == home:
                        self.fail("S1", child, marker)
            visit = registered + int(w.rng.uniform(30, 200) * DAY)
            while visit < w.end:
                if visit >= w.start:
                    officer = self.staff(self.ppu_officers)
                    self.emit_event(
                        RMS,
                        "OV",
                        "offender_visit",
                        visit,
                        by=officer,
                        children=[],
                        participants=[(w.person_ref(rso, RMS), "subject")],
                        location=rso.home_at(visit),
                        summary="Home visit under the offender management plan.",
                        details={
                            "announced": w.chance(0.6),
                            "visited_at": fmt_dt(visit),
                            "findings": w.pick(
                                (
                                    "No concerns.",
                                    "Compliant with notification requirements.",
                                    "Declined to show phone; follow-up arranged.",
                                )
                            ),
                            "devices_checked": w.chance(0.5),
                        },
                    )
                visit += int(w.rng.uniform(90, 365) * DAY)

    # -- domestic abuse --------------------------------------------------------------------

    def domestic_abuse(self) -> None:
        """Domestic abuse incidents with children present, Operation Encompass, MARAC (D1, D2, D4)."""
        w = self.w
        for hh in w.households:
            if not hh.children or not w.chance(0.075):
                continue
            victim = hh.adults[0]
            perpetrators = hh.adults[1:] or ([victim.ex_partner] if victim.ex_partner else [])
            if not perpetrators:
                continue
            perp = perpetrators[0]
            hh.da_victim, hh.da_perpetrator = victim, perp
            for c in hh.children:
                c.tier = max(c.tier, 1)
            n = 1 + min(12, int(w.rng.paretovariate(1.4))) - 1 + (1 if w.chance(0.4) else 0)
            times = sorted(w.when() for _ in range(max(1, n)))
            for i, t in enumerate(times):
                self._da_incident(victim, perp, t, repeat=i)
                if i == 1 and w.chance(0.6):
                    self._marac(victim, perp, t + int(w.rng.uniform(7, 25) * DAY))
            if len(times) >= 2 and w.chance(0.5):
                self._perpetrator_returns(victim, perp, times[-1] + int(w.rng.uniform(3, 30) * DAY))

    def _perpetrator_returns(self, victim: Human, perp: Human, t: int) -> None:
        """A domestic assault ends in no further action and the suspect goes home (D3)."""
        w = self.w
        if t >= self.end - 10 * DAY:
            return
        home = victim.home_at(t)
        children = [c for c in victim.children if c.dob < t and c.home_at(t) == home]
        if not children:
            return
        eid = w.next_id("CRM")
        ref = {"source": RMS, "id": eid}
        self.emit_event(
            RMS,
            "CRM",
            "crime",
            t,
            location=home,
            by=self.staff(self.detectives),
            participants=[(w.person_ref(victim, RMS), "victim"), (w.person_ref(perp, RMS), "suspect")],
            details={
                "offence": "Assault occasioning actual bodily harm (domestic)",
                "offence_code": "8N",
                "sexual_offence": False,
                "online": False,
                "status": "no_further_action",
                "investigation_plan": "Victim withdrew support; evidence-led prosecution considered.",
                "bail_ended_at": fmt_dt(t),
            },
            summary="Domestic assault: no further action; the suspect's bail has ended and he is returning "
            "to the family home where children live.",
            children=children,
            event_id=eid,
        )
        if self.plant("no_safety_plan"):
            for c in children:
                self.fail("D3", c, ref)
            return
        for c in children:
            self.plan(
                c,
                CSC,
                "safety_plan",
                t + int(w.rng.uniform(0.2, 3) * DAY),
                content="Safety plan with the child and the non-abusing parent: who to call, where to go, school told.",
                owner=self.staff(self.social_workers)["name"],
            )

    def _da_incident(self, victim: Human, perp: Human, t: int, *, repeat: int) -> None:
        w = self.w
        home = victim.home_at(t)
        present = [c for c in victim.children if c.dob < t and c.home_at(t) == home]
        planted = self.plant("no_voice_of_child") if present else False
        officer = self.staff(self.constables)
        grade = "emergency" if w.chance(0.6) else "priority"
        participants = [(w.person_ref(victim, RMS), "victim"), (w.person_ref(perp, RMS), "perpetrator")]
        participants += [(w.person_ref(c, RMS), "present_child") for c in present]
        # Domestic abuse summaries are about adults: no child-blaming phrase is planted here.
        summary = (
            "Domestic abuse: verbal argument escalated to assault; children in the house."
            if present
            else "Domestic abuse: argument and assault."
        )
        details: Record = {
            "thrive": self.thrive(grade),
            "children_present": bool(present),
            "domestic_abuse": True,
        }
        if present:
            details["child_contact"] = self.child_contact(planted)
        eid = self.w.next_id("INC")
        ref = {"source": RMS, "id": eid}
        self.emit_event(
            RMS,
            "INC",
            "incident",
            t,
            ended=t + int(w.rng.uniform(1, 4) * HOUR),
            reported=t + int(w.rng.uniform(2, 30) * MINUTE),
            location=home,
            by=officer,
            participants=participants,
            details=details,
            summary=summary,
            children=present,
            event_id=eid,
        )
        for c in present:
            c.da_times.append(t)
            c.police_times.append(t)
            if planted:
                self.fail("D4", c, ref)
        # Operation Encompass: the school hears before the next school day (D1).
        for c in present:
            if c.school is None or not 4 <= age_at(c.dob, t) <= 16:
                continue
            deadline = next_school_day_start(t)
            if self.plant("encompass_missed"):
                self.fail("D1", c, ref)
                if w.chance(0.5):
                    continue  # never sent
                sent = deadline + int(w.rng.uniform(1, 3) * DAY)
            else:
                sent = t + int((deadline - t) * w.rng.uniform(0.2, 0.8))
            self.emit_event(
                RMS,
                "NOT",
                "notification",
                sent,
                by=self.staff(self.mash_officers),
                children=[c],
                participants=[(w.person_ref(c, RMS), "subject")],
                linked=[ref],
                summary="Operation Encompass notification to the child's school.",
                details={
                    "scheme": "operation_encompass",
                    "to": {"source": "directory", "id": c.school},
                    "sent_at": fmt_dt(sent),
                },
            )

    def _marac(self, victim: Human, perp: Human, t: int) -> None:
        w = self.w
        if t >= self.end:
            return
        household_children = [c for c in victim.children if c.dob < t]
        elsewhere = [c for c in perp.children if c.dob < t and c not in household_children]
        omit = bool(elsewhere) and self.plant("marac_child_omitted")
        for c in elsewhere:
            # The police record the perpetrator's children in other households (the DASH risk
            # assessment asks for them), so the `parent_of` relationship between them is in the
            # records whether or not the MARAC lists the child (D2 needs it).
            w.person_ref(c, RMS)
        subjects = [victim, perp, *household_children, *([] if omit else elsewhere)]
        listed = household_children + ([] if omit else elsewhere)
        ref = self.meeting(
            RMS,
            "marac",
            t,
            subjects=subjects,
            children=listed,
            decisions=[f"Safety planning decision recorded for each of {len(listed)} children."],
        )
        if omit:
            for c in elsewhere:
                self.fail("D2", c, ref)

    def meeting(
        self,
        source: str,
        meeting_type: str,
        t: int,
        *,
        subjects: list[Human],
        children: list[Human],
        decisions: list[str],
        linked: list[Ref] | None = None,
    ) -> Ref:
        """Writes a meeting with owned, dated actions, or (at the configured rate) unowned ones (X3)."""
        w = self.w
        chair = self.staff(self.inspectors if source == RMS else self.social_workers)
        attendees = [
            {"name": chair["name"], "role": chair["role"], "organisation": chair["organisation"]},
            {"name": self.staff(self.social_workers)["name"], "role": "partner_social_worker", "organisation": "csc"},
            {
                "name": f"{w.pick('ABCDEFGHJKLMNPRSTW')}. {w.pick(names.SURNAME_OF_OFFICERS)}",
                "role": "partner_health",
                "organisation": "health",
            },
        ]
        if meeting_type in ("strategy_discussion", "mace"):
            attendees.append(
                {
                    "name": f"{w.pick('ABCDEFGHJKLMNPRSTW')}. {w.pick(names.SURNAME_OF_OFFICERS)}",
                    "role": "partner_education",
                    "organisation": "education",
                }
            )
        planted = bool(children) and self.plant("action_no_owner")
        actions = []
        overdue = False
        for i in range(w.rng.randint(2, 4)):
            due = t + int(w.rng.uniform(3, 20) * DAY)
            owner = self.staff(self.social_workers if i % 2 else self.detectives)
            # An action due before the end is done on time, or (X3) never marked done.
            late = due < self.end and (
                self.plant("action_overdue") if children else w.chance(self.rate["action_overdue"])
            )
            overdue = overdue or late
            actions.append(
                {
                    "text": w.pick(
                        (
                            "Complete safety plan with the child and carer.",
                            "Share intelligence on associated adults with the exploitation team.",
                            "School to monitor attendance and report absences daily.",
                            "Arrange health review including sexual health.",
                            "Visit the addresses named and record who is present.",
                            "Refer to the return home interview service.",
                        )
                    ),
                    "owner": f"{owner['name']} ({owner['organisation']})",
                    "due": fmt_d(due),
                    "done_at": fmt_dt(due - int(w.rng.uniform(0, 2) * DAY)) if due < self.end and not late else None,
                }
            )
        outcome_recorded = True
        outcome_at: int | None = t + int(w.rng.uniform(2, 20) * HOUR)
        if planted:
            variant = w.rng.random()
            if variant < 0.45:
                actions[0]["owner"] = None
            elif variant < 0.75:
                actions[-1]["due"] = None
            else:
                outcome_recorded, outcome_at = False, None
        details: Record = {
            "meeting_type": meeting_type,
            "attendees": attendees,
            "subjects": [w.person_ref(h, source) for h in subjects],
            "decisions": decisions,
            "actions": actions,
            "outcome_recorded": outcome_recorded,
        }
        if outcome_at is not None:
            details["outcome_recorded_at"] = fmt_dt(min(outcome_at, working_days_after(t, 2) - HOUR))
        summary = {
            "marac": "MARAC: high-risk domestic abuse case discussed; children considered.",
            "mace": "MACE: children at risk of exploitation and the adults around them.",
            "strategy_discussion": "Strategy discussion: reasonable cause to suspect significant harm considered.",
        }.get(meeting_type, "Multi-agency meeting.")
        eid = w.next_id("MTG")
        ref = {"source": source, "id": eid}
        self.emit_event(
            source,
            "MTG",
            "meeting",
            t,
            ended=t + HOUR,
            by=chair,
            participants=[],
            details=details,
            summary=summary,
            children=children,
            linked=linked,
            event_id=eid,
            last_change=t + 2 * DAY,
        )
        if planted or overdue:
            for c in children:
                self.fail("X3", c, ref)
        return ref

    # -- other incidents with children -----------------------------------------------------

    def child_incidents(self) -> None:
        """Non-domestic incidents involving a child; voice of the child is the Q2 check."""
        w = self.w
        per_year = (0.01, 0.15, 0.5, 1.4)
        kinds = (
            ("Concern for welfare: child found alone late at night.", "priority"),
            ("Anti-social behaviour involving a group of young people.", "scheduled"),
            ("Assault on a child outside school.", "priority"),
            ("Report of a child being picked up by adults in a car.", "priority"),
            ("Child in crisis threatening self-harm.", "emergency"),
            ("Disturbance at a family address; child present.", "priority"),
        )
        for c in w.children:
            n = w.poisson(per_year[c.tier] * self.years)
            for _ in range(n):
                t = w.when(max(w.start, c.dob + 5 * YEAR))
                if t >= self.end or t < c.dob:
                    continue
                text, grade = w.pick(kinds)
                planted = self.plant("no_voice_of_child")
                role = "subject" if w.chance(0.6) else "victim"
                summary, _ = self.blaming(text, INCIDENT_BLAMING)
                eid = w.next_id("INC")
                ref = {"source": RMS, "id": eid}
                self.emit_event(
                    RMS,
                    "INC",
                    "incident",
                    t,
                    ended=t + int(w.rng.uniform(0.5, 3) * HOUR),
                    reported=t + int(w.rng.uniform(1, 40) * MINUTE),
                    location=w.pick(w.public_places) if w.chance(0.6) else c.home_at(t),
                    by=self.staff(self.constables),
                    participants=[(w.person_ref(c, RMS), role)],
                    details={
                        "thrive": self.thrive(grade),
                        "children_present": True,
                        "domestic_abuse": False,
                        "child_contact": self.child_contact(planted),
                    },
                    summary=summary,
                    children=[c],
                    event_id=eid,
                )
                c.police_times.append(t)
                if planted:
                    self.fail("Q2", c, ref)

    # -- missing ---------------------------------------------------------------------------

    def _episode_count(self, c: Human) -> int:
        """Returns how many times this child goes missing: heavy-tailed, worst in children's homes."""
        w = self.w
        age = age_at(c.dob, self.end)
        if age < 9:
            return 0
        share = self.years / 3
        if c.children_home >= 0:
            residents = w.home_residents[c.children_home]
            if c is residents[0] and (c.children_home == 0 or w.chance(0.15)):
                # The children the inspection found: 105, 151, 175 reports and no trigger plan.
                return int(w.rng.uniform(105, 180) * share)
            return min(90, int(w.rng.paretovariate(0.9) * 2 * share))
        if c.key in self.emerging_of:
            return w.rng.randint(2, 4)
        net = self.network_of.get(c.key)
        if net is not None:
            return min(70, int(w.rng.paretovariate(1.0) * 2 * share)) if w.chance(0.85) else 0
        p_ever = (0.012, 0.07, 0.25, 0.55)[c.tier] * (0.4 if age < 12 else 1.0) * min(1.0, share)
        if not w.chance(p_ever):
            return 0
        return min(60, int(w.rng.paretovariate(1.6 if c.tier < 3 else 1.1) * share) or 1)

    def missing(self) -> None:
        """Missing episodes: reports, reviews, enquiries, returns; plants M1, M2, M3, M4, M6."""
        w = self.w
        for c in w.children:
            k = self._episode_count(c)
            if k <= 0:
                continue
            lo = max(w.start, c.dob + 9 * YEAR)
            if c.key in self.emerging_of:
                lo = max(lo, self.end - 170 * DAY)  # only recently
            starts = sorted(w.when(lo, self.end - 2 * HOUR) for _ in range(k))
            episodes: list[tuple[int, int | None]] = []
            prev_end = lo
            for s in starts:
                s = max(s, prev_end + 3 * HOUR)
                if s >= self.end - 2 * HOUR:
                    break
                dur = int(min(w.rng.lognormvariate(2.6, 0.9), 24 * 9) * HOUR)
                dur = max(dur, 4 * HOUR)
                e: int | None = s + dur
                assert e is not None
                if e >= self.end:
                    e = None  # still missing when the county's records end
                episodes.append((s, e))
                prev_end = e if e is not None else self.end
            self.episodes[c.key] = len(episodes)
            plan_ref = self._repeat_plan(c, [s for s, _ in episodes])
            for i, (s, e) in enumerate(episodes):
                self._missing_report(c, s, e, i, plan_ref)

    def _repeat_plan(self, c: Human, starts: list[int]) -> Ref | None:
        """A trigger plan after 3 episodes in 90 days, unless planted missing (M4)."""
        w = self.w
        first_window = next(
            (starts[i + 2] for i in range(len(starts) - 2) if starts[i + 2] - starts[i] <= 90 * DAY), None
        )
        if first_window is None:
            return None
        # 89 days: still 3 in 90 days when evaluated the morning after the end.
        recent = [s for s in starts if s > self.end - 89 * DAY]
        if len(recent) >= 3 and self.plant("repeat_no_plan"):
            self.fail("M4", c, None)
            return None
        created = first_window + int(w.rng.uniform(0.2, 3) * DAY)
        if created >= self.end:
            created = self.end - HOUR
        net = self.network_of.get(c.key)
        associates = [w.person_ref(a, RMS) for a in (net["adults"] if net else [])]
        places = list(net["places"]) if net else []
        places += [w.pick(w.public_places)]
        return self.plan(
            c,
            MISPERS,
            "trigger_plan" if w.chance(0.7) else "philomena_profile",
            created,
            content="Description, associates, places frequented and phone numbers; actions if missing again.",
            associates=associates,
            places=places,
            owner=self.staff(self.mp_coordinators)["name"],
        )

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
        self._stamp(record, self.end - int(w.rng.uniform(1, 60) * DAY))
        self.emit_record(record)
        return {"source": source, "id": pid}

    def _missing_report(self, c: Human, s: int, e: int | None, index: int, plan_ref: Ref | None) -> None:
        w = self.w
        in_care = c.care == "looked_after"
        reported = s + int(w.rng.uniform(0.5, 5) * HOUR)
        if e is not None and e <= reported + HOUR:
            e = reported + int(w.rng.uniform(2, 6) * HOUR)
        open_until = e if e is not None else self.end
        m1 = self.plant("missing_below_policy")
        m2 = self.plant("missing_late_review")
        m3 = self.plant("generic_enquiry")
        net = self.network_of.get(c.key)
        sergeant = self.staff(self.sergeants)
        inspector = self.staff(self.inspectors)
        risk = w.pick(("medium", "low")) if m1 else "high"
        rationale = w.pick(FREQUENCY_RATIONALES) if m1 else w.pick(HIGH_RATIONALES)
        rationale, _ = self.blaming(rationale, MISSING_BLAMING)
        # Reviews: supervisor within 1 h, inspector within 2 h, again every 8 h while open (M2).
        late = m2 and w.chance(0.7)
        no_oic = m2 and not late
        first = reported + int(w.rng.uniform(4, 6.5) * HOUR if late else w.rng.uniform(15, 55) * MINUTE)
        reviews: list[Record] = []
        if first < open_until:
            reviews.append(
                {
                    "at": fmt_dt(first),
                    "by": sergeant,
                    "risk": risk,
                    "rationale": rationale if m1 else "Agree high.",
                    "actions": ["Deploy to last seen location", "Check phone and social media"],
                }
            )
        insp = reported + int(w.rng.uniform(5, 8) * HOUR if late else w.rng.uniform(65, 110) * MINUTE)
        if insp < open_until:
            reviews.append(
                {
                    "at": fmt_dt(insp),
                    "by": inspector,
                    "risk": risk,
                    "rationale": "Reviewed; plan agreed.",
                    "actions": ["Consider media appeal"],
                }
            )
        t = max(first, insp) + int(w.rng.uniform(6, 7.8) * HOUR)
        while t < open_until:
            reviews.append(
                {
                    "at": fmt_dt(t),
                    "by": self.staff(self.sergeants),
                    "risk": risk,
                    "rationale": "Still missing; enquiries continuing.",
                    "actions": [],
                }
            )
            t += int(w.rng.uniform(6, 7.8) * HOUR)
        # Found after the 1-hour supervisor deadline (always: episodes last more than an hour
        # after the report) but before the late review: the review was owed and never made,
        # which is the same failure, so it stays planted.
        details: Record = {
            "missing_from": "care" if in_care else ("school" if w.chance(0.03) else "home"),
            "reported_by": "residential staff" if c.children_home >= 0 else ("foster carer" if in_care else "parent"),
            "last_seen_at": fmt_dt(s),
            "last_seen_location": {"source": GAZETTEER, "id": c.home_at(s)},
            "initial_risk": risk,
            "risk_rationale": rationale,
            "reviews": reviews,
        }
        if not no_oic:
            details["officer_in_charge"] = {
                **self.staff(self.constables),
                "assigned_at": fmt_dt(reported + int(w.rng.uniform(10, 50) * MINUTE)),
            }
        lines: list[Record] = []
        if net is not None and w.chance(0.8):
            adult = w.pick(net["adults"])
            lines.append(
                {
                    "text": "Visit the address of an associated adult (CAWN in place).",
                    "location": {"source": GAZETTEER, "id": adult.home_at(s)},
                    "person": w.person_ref(adult, RMS),
                    "done_at": fmt_dt(reported + 2 * HOUR),
                }
            )
        for parent_text in ("Visit mother's address.", "Speak to friends named by carers."):
            lines.append(
                {
                    "text": parent_text,
                    "location": {"source": GAZETTEER, "id": w.pick(w.public_places)},
                    "person": None,
                    "done_at": fmt_dt(reported + int(w.rng.uniform(1, 3) * HOUR)),
                }
            )
        if m3:
            lines.append({"text": "Check addresses", "location": None, "person": None, "done_at": None})
        details["lines_of_enquiry"] = lines
        participants: list[tuple[Ref, str]] = [(w.person_ref(c, MISPERS), "missing_person")]
        found_loc: str | None = None
        colocated: Human | None = None
        if e is not None:
            if net is not None and w.chance(0.35):
                colocated = w.pick(net["adults"])
                found_loc = colocated.home_at(e) if w.chance(0.5) else net["places"][1]
            else:
                found_loc = w.pick(w.public_places) if w.chance(0.5) else c.home_at(e)
            details["found_at"] = fmt_dt(e)
            details["found_location"] = {"source": GAZETTEER, "id": found_loc}
            details["found_by"] = "police" if w.chance(0.4) else "returned"
            details["returned_of_own_accord"] = details["found_by"] == "returned"
            details["prevention_interview_at"] = fmt_dt(e + int(w.rng.uniform(0.5, 6) * HOUR))
            m6 = self.plant("late_return_interview")
            rhi: Record = {
                "offered_at": fmt_dt(e + int(w.rng.uniform(2, 24) * HOUR)),
                "by": "Return Home Interview Service",
            }
            done = e + int((w.rng.uniform(76, 400) if m6 else w.rng.uniform(6, 70)) * HOUR)
            if done < self.end and not (m6 and w.chance(0.3)):
                rhi["completed_at"] = fmt_dt(done)
            if m6 and e + 72 * HOUR > self.end:
                m6 = False  # not yet due: nothing to plant
            details["return_home_interview"] = rhi
        else:
            m6 = False
        if colocated is not None:
            participants.append((w.person_ref(colocated, RMS), "co_located"))
        rid = w.next_id("MIS")
        ref = {"source": MISPERS, "id": rid}
        summary = f"Missing episode {index + 1} for this child."
        self.emit_event(
            MISPERS,
            "MIS",
            "missing_report",
            s,
            ended=e,
            reported=reported,
            location=c.home_at(s),
            by=self.staff(self.call_handlers),
            participants=participants,
            details=details,
            summary=summary,
            children=[c],
            linked=[plan_ref] if plan_ref else None,
            event_id=rid,
            last_change=(e or self.end) + 3 * DAY,
        )
        c.missing_times.append(s)
        c.police_times.append(s)
        if m1:
            self.fail("M1", c, ref)
        if m2:
            self.fail("M2", c, ref)
        if m3:
            self.fail("M3", c, ref)
        if m6:
            self.fail("M6", c, ref)
        if colocated is not None and e is not None:
            # Found with an adult of concern: a safeguarding referral (M6) is required, made
            # and linked unless the failure is planted (only once the 24 h have passed).
            # Network "adults" include older teenagers: only an adult (18+) on the day is planted.
            no_referral = e + 24 * HOUR <= self.end and self.plant("found_with_adult_no_referral")
            no_referral = no_referral and age_at(colocated.dob, e) >= 18
            if no_referral:
                if not m6:
                    self.fail("M6", c, ref)
            else:
                self.queue_referral(c, e + int(w.rng.uniform(1, 10) * HOUR), ["exploitation", "missing"], linked=[ref])

    # -- crime -----------------------------------------------------------------------------

    def crimes(self) -> None:
        """Crimes against children: assaults and sexual offences (X5), requests to other forces (X6)."""
        w = self.w
        per_year = (0.004, 0.05, 0.2, 0.5)
        for c in w.children:
            n = w.poisson(per_year[c.tier] * self.years)
            for _ in range(n):
                t = w.when(max(w.start, c.dob + 4 * YEAR))
                if t >= self.end:
                    continue
                age = age_at(c.dob, t)
                sexual = 12 <= age < 16 and w.chance(0.35 if c.tier >= 2 else 0.15)
                if sexual:
                    suspect = self._adult_suspect(c)
                    consent = self.plant("consent_language")
                    offence, code = "Sexual activity with a child under 16", "22B"
                    summary = (
                        f"Victim aged {age} says the relationship was consensual; "
                        f"suspect aged {age_at(suspect.dob, t)}."
                        if consent
                        else f"Sexual activity with a child aged {age}; "
                        f"suspect aged {age_at(suspect.dob, t)} identified."
                    )
                else:
                    suspect = None
                    consent = False
                    offence, code = w.pick(
                        (
                            ("Assault occasioning actual bodily harm", "8N"),
                            ("Common assault", "105A"),
                            ("Robbery of personal property", "34B"),
                            ("Malicious communications", "8L"),
                        )
                    )
                    summary = f"{offence} against a child aged {age}."
                status = w.pick(("under_investigation", "charged", "no_further_action"))
                details: Record = {
                    "offence": offence,
                    "offence_code": code,
                    "sexual_offence": sexual,
                    "online": False,
                    "status": status,
                    "investigation_plan": "Victim interview (ABE), suspect interview, digital enquiries.",
                }
                x6 = False
                if w.chance(0.08):
                    requested = t + int(w.rng.uniform(1, 10) * DAY)
                    if requested < self.end:
                        x6 = self.plant("request_overdue") and requested < self.end - 15 * DAY
                        req: Record = {
                            "to_force": w.pick(
                                (
                                    "Metropolitan Police",
                                    "Essex Police",
                                    "Norfolk Constabulary",
                                    "Cambridgeshire Constabulary",
                                )
                            ),
                            "requested_at": fmt_dt(requested),
                            "text": "Trace and interview a witness living in your area.",
                        }
                        if x6:
                            if w.chance(0.5):
                                req["completed_at"] = None
                            else:
                                done = requested + int(w.rng.uniform(20, 90) * DAY)
                                req["completed_at"] = fmt_dt(done) if done < self.end else None
                        else:
                            done = requested + int(w.rng.uniform(2, 13) * DAY)
                            req["completed_at"] = fmt_dt(done) if done < self.end else None
                        details["external_requests"] = [req]
                participants = [(w.person_ref(c, RMS), "victim")]
                if suspect is not None:
                    participants.append((w.person_ref(suspect, RMS), "suspect"))
                eid = w.next_id("CRM")
                ref = {"source": RMS, "id": eid}
                self.emit_event(
                    RMS,
                    "CRM",
                    "crime",
                    t,
                    reported=t + int(w.rng.uniform(1, 72) * HOUR),
                    location=c.home_at(t) if sexual else w.pick(w.public_places),
                    by=self.staff(self.detectives),
                    participants=participants,
                    details=details,
                    summary=summary,
                    children=[c],
                    event_id=eid,
                    last_change=t + 20 * DAY,
                )
                c.police_times.append(t)
                if consent:
                    self.fail("X5", c, ref)
                if x6:
                    self.fail("X6", c, ref)

    def _adult_suspect(self, c: Human) -> Human:
        w = self.w
        net = self.network_of.get(c.key)
        if net is not None and net["type"] == "cse":
            return w.pick(net["adults"])
        adult = w.new_human(
            sex="male",
            dob=w.end - int(w.rng.uniform(18, 40) * YEAR),
            heritage="british",
            family=w.pick(names.SURNAMES["british"]),
            is_child=False,
        )
        adult.homes.append([w.new_home(w.random_town()), w.start - YEAR, None, "home"])
        return adult

    def online_offences(self) -> None:
        """Indecent images shared among peers; device examination and forensic turnaround (O1, O2)."""
        w = self.w
        pupils: dict[str, list[Human]] = {}
        for c in w.children:
            if c.school is not None and 12 <= age_at(c.dob, w.end) <= 17:
                pupils.setdefault(c.school, []).append(c)
        schools = [s for s, kids in pupils.items() if len(kids) >= 2]
        if not schools:
            return
        for _ in range(max(2, round(w.cfg.children * 0.0022 * self.years / 3))):
            kids = pupils[w.pick(schools)]
            victim, suspect = w.rng.sample(kids, 2)
            t = w.when(w.start, w.end - 10 * DAY)
            age = age_at(victim.dob, t)
            crime_id = w.next_id("CRM")
            crime = {"source": RMS, "id": crime_id}
            self.emit_event(
                RMS,
                "CRM",
                "crime",
                t,
                reported=t + int(w.rng.uniform(2, 48) * HOUR),
                by=self.staff(self.detectives),
                participants=[(w.person_ref(victim, RMS), "victim"), (w.person_ref(suspect, RMS), "suspect")],
                details={
                    "offence": "Indecent image of a child shared among peers",
                    "offence_code": "86/2",
                    "sexual_offence": True,
                    "online": True,
                    "status": "under_investigation",
                    "investigation_plan": "Seize devices, DFU examination, CAID upload, "
                    "identify every child depicted and every recipient.",
                },
                summary=f"Image of a child aged {age} shared on social media among pupils at one school.",
                children=[victim],
                event_id=crime_id,
                last_change=t + 30 * DAY,
            )
            victim.police_times.append(t)
            suspect.police_times.append(t)
            self.queue_referral(victim, t + int(w.rng.uniform(2, 20) * HOUR), ["online", "sexual"], linked=[crime])
            late_submit = self.plant("device_late")
            no_caid = late_submit and w.chance(0.4)
            submitted = t + int((w.rng.uniform(9, 40) if late_submit and not no_caid else w.rng.uniform(0.5, 6)) * DAY)
            priority = "priority" if w.chance(0.4) else "standard"
            target = 30 if priority == "priority" else 75
            o2 = self.plant("forensic_late")
            returned = submitted + int((w.rng.uniform(target + 5, 270) if o2 else w.rng.uniform(5, target - 2)) * DAY)
            det: Record = {
                "submitted_at": fmt_dt(submitted),
                "priority": priority,
                "first_generation_images": w.chance(0.3),
            }
            if submitted >= self.end:
                continue
            if returned < self.end:
                det["returned_at"] = fmt_dt(returned)
                if not no_caid:
                    caid = returned + int(w.rng.uniform(1, 5) * DAY)
                    det["caid_uploaded_at"] = fmt_dt(min(caid, self.end - HOUR))
            if o2 and submitted + target * DAY >= self.end:
                o2 = False  # not yet overdue when the records end
            if no_caid and returned >= self.end:
                no_caid = False
                late_submit = submitted > t + 7 * DAY
            dref = self.emit_event(
                RMS,
                "DFU",
                "device_examination",
                submitted,
                by=self.staff(self.detectives),
                children=[victim],
                participants=[(w.person_ref(suspect, RMS), "subject")],
                linked=[crime],
                summary="Suspect's phone submitted to the digital forensic unit.",
                details=det,
                last_change=min(returned, self.end),
            )
            if late_submit:
                self.fail("O1", victim, crime)
            if o2:
                self.fail("O2", victim, dref)

    # -- custody and police protection -----------------------------------------------------

    def custody(self) -> None:
        """Children detained: appropriate adult, reviews, accommodation after charge (C1, C2)."""
        w = self.w
        per_year = (0.0006, 0.01, 0.06, 0.3)
        remanded = False
        for c in w.children:
            n = w.poisson(per_year[c.tier] * self.years)
            for _ in range(n):
                t = w.when(max(w.start, c.dob + 10 * YEAR))
                if t < self.end - 2 * DAY:
                    remanded = self._custody(c, t, remand=False) or remanded
        if not remanded:
            # Every county has at least one child charged and refused bail (C2's opportunity).
            older = [c for c in w.children if age_at(c.dob, self.end) >= 14]
            if older:
                c = max(older, key=lambda h: (h.tier, h.key))
                self._custody(c, w.when(w.end - YEAR, w.end - 3 * DAY), remand=True)

    def _custody(self, c: Human, t: int, *, remand: bool) -> bool:
        """Writes one detention; returns whether the child was charged and refused bail."""
        w = self.w
        if c.pnc is None:
            c.pnc = w.pnc_id(time.gmtime(t).tm_year % 100)
        arrived = t + int(w.rng.uniform(15, 70) * MINUTE)
        c1 = self.plant("appropriate_adult_late")
        aa_req = arrived + int(w.rng.uniform(5, 20) * MINUTE)
        aa_arr = arrived + int((w.rng.uniform(3, 14) if c1 else w.rng.uniform(0.5, 1.8)) * HOUR)
        # Children drawn into county lines are charged with supply and remanded more often.
        charged = remand or w.chance(0.7 if c.tier >= 3 else 0.3)
        refused = remand or (charged and w.chance(0.5 if c.tier >= 3 else 0.3))
        c2 = refused and self.plant("accommodation_missed")
        length = w.rng.uniform(4, 16) * HOUR
        if refused:
            length = max(length, 10 * HOUR)
        length = max(length, aa_arr - arrived + 2 * HOUR)
        released = arrived + int(length)
        reviews = []
        r = arrived + int(w.rng.uniform(4.5, 5.9) * HOUR)
        while r < released:
            reviews.append(
                {
                    "at": fmt_dt(r),
                    "by": self.staff(self.inspectors)["name"],
                    "in_presence_of_child": w.chance(0.7),
                }
            )
            r += int(w.rng.uniform(7, 8.9) * HOUR)
        det: Record = {
            "arrested_at": fmt_dt(t),
            "arrived_at": fmt_dt(arrived),
            "appropriate_adult_requested_at": fmt_dt(aa_req),
            "appropriate_adult_arrived_at": fmt_dt(aa_arr),
            "healthcare_seen_at": fmt_dt(arrived + int(w.rng.uniform(0.5, 3) * HOUR)),
            "reviews": reviews,
            "bail_refused": refused,
            "released_at": fmt_dt(released),
        }
        if charged:
            ch = released - int(w.rng.uniform(1, 2) * HOUR)
            det["charged_at"] = fmt_dt(ch)
            if refused and not c2:
                det["la_accommodation_requested_at"] = fmt_dt(ch + int(w.rng.uniform(10, 50) * MINUTE))
                det["la_accommodation_outcome"] = "provided"
        net = self.network_of.get(c.key)
        offence = (
            "possession with intent to supply class A"
            if net and net["type"] == "cce"
            else w.pick(("theft from a shop", "assault", "criminal damage", "possession of a bladed article"))
        )
        eid = w.next_id("CUS")
        ref = {"source": RMS, "id": eid}
        self.emit_event(
            RMS,
            "CUS",
            "custody",
            t,
            ended=released,
            location=w.pick(w.custody_suites),
            by=self.staff(self.custody_officers),
            participants=[(w.person_ref(c, RMS), "detainee")],
            details=det,
            summary=f"Child detained on suspicion of {offence}.",
            children=[c],
            event_id=eid,
        )
        c.police_times.append(t)
        if c1:
            self.fail("C1", c, ref)
        if c2:
            self.fail("C2", c, ref)
        return refused

    def police_protection(self) -> None:
        """s46 police protection: designated officer, notification, accommodation, end (P1)."""
        w = self.w
        count = max(2, round(w.cfg.children * 0.001 * self.years))
        pool = [c for c in w.children if c.tier >= 1]
        for _ in range(count):
            c = w.pick(pool)
            t = w.when(max(w.start, c.dob + DAY), w.end - 4 * DAY)
            planted = self.plant("protection_incomplete")
            initiating = self.staff(self.constables)
            designated = self.staff(self.inspectors)
            notified = t + int(w.rng.uniform(0.3, 2) * HOUR)
            requested = t + int(w.rng.uniform(0.5, 2) * HOUR)
            provided = requested + int(w.rng.uniform(0.5, 3.8) * HOUR)
            ended = t + int(w.rng.uniform(6, 60) * HOUR)
            det: Record = {
                "started_at": fmt_dt(t),
                "designated_officer": designated,
                "authorised_at": fmt_dt(t + int(w.rng.uniform(0.3, 1.5) * HOUR)),
                "rationale": "Child found in a home with no adult present and signs of neglect; "
                "likely to suffer significant harm.",
                "handovers": [],
                "csc_notified_at": fmt_dt(notified),
                "accommodation_requested_at": fmt_dt(requested),
                "accommodation_provided_at": fmt_dt(provided),
                "ended_at": fmt_dt(ended),
                "end_rationale": "Child placed in local authority accommodation; police protection ended.",
            }
            if planted:
                variant = w.pick(("no_designated", "same_officer", "no_notification", "no_end_rationale", "long_wait"))
                if variant == "no_designated":
                    del det["designated_officer"]
                elif variant == "same_officer":
                    det["designated_officer"] = initiating
                elif variant == "no_notification":
                    del det["csc_notified_at"]
                elif variant == "no_end_rationale":
                    del det["end_rationale"]
                else:
                    provided = requested + int(w.rng.uniform(14, 30) * HOUR)
                    ended = max(ended, provided + HOUR)
                    det["accommodation_provided_at"] = fmt_dt(provided)
                    det["ended_at"] = fmt_dt(ended)
            eid = w.next_id("PP")
            ref = {"source": RMS, "id": eid}
            self.emit_event(
                RMS,
                "PP",
                "police_protection",
                t,
                ended=ended,
                location=c.home_at(t),
                by=initiating,
                participants=[(w.person_ref(c, RMS), "subject")],
                details=det,
                summary="Child taken into police protection (s46).",
                children=[c],
                event_id=eid,
            )
            c.police_times.append(t)
            if planted:
                self.fail("P1", c, ref)
            self.meeting(
                CSC,
                "strategy_discussion",
                t + int(w.rng.uniform(2, 20) * HOUR),
                subjects=[c],
                children=[c],
                decisions=["Section 47 enquiry to start.", "Child to remain in local authority accommodation."],
                linked=[ref],
            )

    # -- exploitation ----------------------------------------------------------------------

    def exploitation_records(self) -> None:
        """Intelligence, relationships, CAWNs (M7), MACE meetings and CSE plans (X4)."""
        w = self.w
        for net in self.networks:
            adults: list[Human] = net["adults"]
            kids: list[Human] = net["children"]
            since = max(net["since"], w.start)
            # Every adult is linked to at least two of the children (when there are two):
            # the pattern an exploitation coordinator must see (X2).
            links: list[tuple[Human, Human]] = [(adults[i % len(adults)], c) for i, c in enumerate(kids)]
            for adult in adults:
                mine = [c for a, c in links if a is adult]
                for c in kids:
                    if len(mine) >= 2:
                        break
                    if c not in mine:
                        links.append((adult, c))
                        mine.append(c)
            first_adult: dict[str, Human] = {}
            for adult, c in links:
                first_adult.setdefault(c.key, adult)
                rel = "boyfriend_girlfriend" if net["type"] == "cse" and w.chance(0.3) else "associate_of"
                w.relationships.append((RMS, adult, c, rel, since, None))
                times = [w.when(since, w.end - DAY) for _ in range(w.rng.randint(0, 2))]
                times.append(w.when(max(since, w.end - 170 * DAY), w.end - DAY))  # emerging intelligence
                for t in times:
                    self.intelligence_times.setdefault(c.key, []).append(t)
                    src, assessment = w.pick(("1", "2", "3")), w.pick("ABCDE")
                    self.emit_event(
                        RMS,
                        "INT",
                        "intelligence",
                        t,
                        by=self.staff(self.detectives),
                        children=[c],
                        participants=[(w.person_ref(c, RMS), "subject"), (w.person_ref(adult, RMS), "associate")],
                        location=w.pick(net["places"]),
                        summary="Intelligence: child seen with an older adult at a hotel and in cars late at night.",
                        details={
                            "grading": {"source": int(src), "assessment": assessment, "handling": "P"},
                            "text": "Child seen being picked up in a car by an adult male; has new phone and clothes.",
                            "confirmed": assessment in "AB",
                        },
                    )
                    c.police_times.append(t)
            for c in net["emerging"]:
                adult = min(adults, key=lambda a: a.dob)
                links.append((adult, c))
                self._emerging(net, adult, c)
            recent = self.end - 180 * DAY
            for adult in adults:
                linked = [
                    c
                    for a, c in links
                    if a is adult and (c in kids or any(t > recent for t in c.missing_times) or c.key in self.screened)
                ]
                if len(linked) >= 2:
                    for c in linked:
                        self.failures.append({"clause": "X2", "person": c.key, "record": None, "adult": adult.key})
            for c in kids:
                adult = first_adult[c.key]
                kind = "cse_risk" if net["type"] == "cse" else "cce_risk"
                self.marker(
                    c,
                    kind,
                    since + int(w.rng.uniform(0, 60) * DAY),
                    notes="Exploitation risk identified by the exploitation team.",
                )
                if w.chance(0.6):
                    self._cawn(c, adult, w.when(since, w.end - 20 * DAY))
                eligible_x4 = kind == "cse_risk" and (
                    c.care == "child_protection_plan"
                    or len([s for s in c.missing_times if s > self.end - 89 * DAY]) >= 3
                )
                needs_plan = kind == "cse_risk" and (eligible_x4 or len(c.missing_times) >= 3)
                if eligible_x4 and self.plant("cse_no_plan"):
                    self.fail("X4", c, None)
                elif needs_plan:
                    self.plan(
                        c,
                        RMS,
                        "cse_plan",
                        w.when(since, w.end - 5 * DAY),
                        content="Disruption of the adults involved; safety plan with the child.",
                        associates=[w.person_ref(a, RMS) for a in adults],
                        places=list(net["places"]),
                        owner=self.staff(self.detectives)["name"],
                    )
            t = since + int(w.rng.uniform(20, 90) * DAY)
            while t < self.end:
                self.meeting(
                    RMS,
                    "mace",
                    t,
                    subjects=[*kids, *adults],
                    children=list(kids),
                    decisions=["Disrupt the adults identified; consider CAWNs.", "Each child to have a safety plan."],
                )
                t += int(w.rng.uniform(60, 120) * DAY)

    def _emerging(self, net: dict[str, Any], adult: Human, c: Human) -> None:
        """Unconfirmed intelligence about a younger child and an older adult partner; screened or not (X1)."""
        w = self.w
        since = w.when(self.end - 170 * DAY, self.end - 60 * DAY)
        w.relationships.append((RMS, adult, c, "boyfriend_girlfriend", since, None))
        t = w.when(since, self.end - DAY)
        self.intelligence_times.setdefault(c.key, []).append(t)
        ref = self.emit_event(
            RMS,
            "INT",
            "intelligence",
            t,
            by=self.staff(self.constables),
            children=[c],
            participants=[(w.person_ref(c, RMS), "subject"), (w.person_ref(adult, RMS), "associate")],
            location=w.pick(net["places"]),
            summary="Intelligence (unconfirmed): child seen getting into an older man's car near school.",
            details={
                "grading": {"source": 3, "assessment": w.pick("CDE"), "handling": "P"},
                "text": "Member of the public reports a girl in school uniform collected by an adult in a car.",
                "confirmed": False,
            },
        )
        if self.plant("emerging_unscreened"):
            self.fail("X1", c, ref)
            return
        self.screened.add(c.key)
        kind = "cse_risk" if net["type"] == "cse" else "cce_risk"
        self.marker(c, kind, t + int(w.rng.uniform(1, 10) * DAY), notes="Screened after emerging intelligence.")
        self.queue_referral(c, t + int(w.rng.uniform(2, 48) * HOUR), ["exploitation"], linked=[ref])
        if kind == "cse_risk":
            self.plan(
                c,
                RMS,
                "cse_plan",
                t + int(w.rng.uniform(3, 20) * DAY),
                content="Safety plan with the child; disruption of the adult.",
                associates=[w.person_ref(adult, RMS)],
                places=list(net["places"]),
                owner=self.staff(self.detectives)["name"],
            )

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
        self._stamp(record, start + DAY)
        self.emit_record(record)
        return {"source": RMS, "id": mid}

    def _cawn(self, c: Human, adult: Human, t: int) -> None:
        w = self.w
        oid = w.next_id("ORD")
        record: Record = {
            "kind": "order",
            "source": RMS,
            "id": oid,
            "recorded_at": "",
            "order_type": "cawn",
            "subject": w.person_ref(adult, RMS),
            "protected": [w.person_ref(c, RMS)],
            "conditions": "Permission withdrawn to associate with, contact or harbour the named child "
            "(Child Abduction Act 1984 s2).",
            "from": fmt_d(t),
            "to": None,
        }
        self._stamp(record, t + DAY)
        self.emit_record(record)
        ref = {"source": RMS, "id": oid}
        planted = self.plant("cawn_missing_marker")
        omit = w.pick(("child", "adult", "both")) if planted else ""
        if omit not in ("child", "both"):
            self.marker(c, "cawn_child", t, linked=adult, notes="CAWN served on an adult in respect of this child.")
        if omit not in ("adult", "both"):
            self.marker(adult, "cawn_adult", t, linked=c, notes="CAWN served: must not associate with the named child.")
        if planted:
            self.fail("M7", c, ref)

    # -- MASH referrals ----------------------------------------------------------------------

    def queue_referral(self, c: Human, t: int, concerns: list[str], linked: list[Ref] | None = None) -> None:
        """Queues a referral; all of a child's referrals are triaged in time order by `referrals`,
        so the cumulative count (H3) and the police history (H2) are complete when each is graded."""
        self.queued_referrals.setdefault(c.key, []).append((t, concerns, linked))

    def referrals(self) -> None:
        """MASH referrals per child, triaged against history (H1, H2, H3)."""
        w = self.w
        per_year = (0.008, 0.2, 0.7, 1.6)
        concerns = ("neglect", "physical", "emotional", "domestic_abuse", "mental_health", "other")
        for c in w.children:
            queue = self.queued_referrals.pop(c.key, [])
            for _ in range(w.poisson(per_year[c.tier] * self.years)):
                queue.append((w.when(max(w.start, c.dob)), [w.pick(concerns)], None))
            for t in c.da_times:
                if w.chance(0.5):
                    queue.append((t + int(w.rng.uniform(3, 30) * HOUR), ["domestic_abuse"], None))
            for t, concern, linked in sorted(queue, key=lambda item: item[0]):
                self.referral(c, t, concern, linked)

    def referral(self, c: Human, t: int, concerns: list[str], linked: list[Ref] | None = None) -> Ref | None:
        w = self.w
        if t >= self.end - HOUR:
            return None
        if "exploitation" in concerns:
            self.screened.add(c.key)
        year_ago = t - YEAR
        prior = sum(1 for x in c.referral_times if year_ago <= x < t) + sum(1 for x in c.da_times if year_ago <= x < t)
        count = prior + 1
        base = (
            "red" if "sexual" in concerns or "exploitation" in concerns else w.pick(("amber", "green", "green", "blue"))
        )
        grade = base
        h3 = False
        if count >= 5:
            grade = "red"
        elif count >= 3 and grade in ("green", "blue"):
            grade = "amber"
        if count >= 3 and self.plant("cumulative_missed"):
            grade, h3 = "green", True
        limit = {"red": 4, "amber": 24, "green": 48, "blue": 72}[grade]
        h1 = grade != "blue" and self.plant("triage_late")
        delay = w.rng.uniform(limit + 1, limit * 3) if h1 else w.rng.uniform(limit * 0.1, limit * 0.9)
        at = t + int(delay * HOUR)
        if at >= self.end:
            h1 = False
            at = t + int(w.rng.uniform(limit * 0.1, limit * 0.9) * HOUR)
            if at >= self.end:
                at = self.end - 1
        history = any(x < t for x in c.police_times)
        h2 = history and self.plant("triage_la_only")
        research = (
            ["local_authority"] if (h2 or (not history and w.chance(0.5))) else ["local_authority", "police_systems"]
        )
        if not h2 and history and w.chance(0.2):
            research.append("national")
        rid = w.next_id("REF")
        ref = {"source": CSC, "id": rid}
        decision = {
            "red": "Strategy discussion today.",
            "amber": "Single assessment by social care.",
            "green": "Advice and signposting to early help.",
            "blue": "Recorded for information.",
        }[grade]
        self.emit_event(
            CSC,
            "REF",
            "referral",
            t,
            by=self.staff(self.mash_officers),
            children=[c],
            event_id=rid,
            participants=[(w.person_ref(c, CSC), "subject")],
            linked=linked,
            summary="Referral to the multi-agency safeguarding hub.",
            details={
                "concern": concerns,
                "referrer": w.pick(("police", "school", "health visitor", "GP", "family member", "neighbour")),
                "received_at": fmt_dt(t),
                "triage": {
                    "grade": grade,
                    "at": fmt_dt(at),
                    "by": self.staff(self.mash_officers),
                    "research": research,
                    "decision": decision,
                },
                "outcome": decision,
            },
            last_change=at + HOUR,
        )
        c.referral_times.append(t)
        if h1:
            self.fail("H1", c, ref)
        if h2:
            self.fail("H2", c, ref)
        if h3:
            self.fail("H3", c, ref)
        if grade == "red" and w.chance(0.7):
            self.meeting(
                CSC,
                "strategy_discussion",
                at + int(w.rng.uniform(1, 20) * HOUR),
                subjects=[c],
                children=[c],
                decisions=["Section 47 enquiry."],
                linked=[ref],
            )
        return ref

    def label_unscreened(self) -> None:
        """Lists (X1) every child whose records show >= 2 exploitation indicators and no
        screening, whatever planted them: a looked-after child who went missing lately, a child
        with self-harm and drugs markers. Emerging children are planted by `_emerging`."""
        w = self.w
        since = self.end - 179 * DAY  # inside the 180-day window the morning after the end too
        labelled = {f["person"] for f in self.failures if f["clause"] == "X1"}
        partners: dict[str, list[Human]] = {}
        for source, a, b, rel_type, _start, _stop in w.relationships:
            if source == RMS and rel_type == "boyfriend_girlfriend" and RMS in b.records:
                partners.setdefault(b.key, []).append(a)
        for c in w.children:
            if c.key in self.screened or c.key in labelled:
                continue
            found = set(self.indicators.get(c.key, ()))
            if any(t >= since for t in c.missing_times):
                found.add("going missing")
            if any(t >= since for t in self.intelligence_times.get(c.key, ())):
                found.add("intelligence")
            if c.care in ("looked_after", "care_leaver") and (c.csc_id is not None or MISPERS in c.records):
                found.add("in or leaving care")
            age = age_at(c.dob, self.end)
            for adult in partners.get(c.key, ()):
                if age_at(adult.dob, self.end) >= 18 and (age < 16 or (c.dob - adult.dob) >= 5 * YEAR):
                    found.add("older boyfriend/girlfriend")
            if len(found) >= 2:
                self.fail("X1", c, None)

    def child_markers(self) -> None:
        """Warning markers for vulnerable children (self-harm, mental health, drugs)."""
        w = self.w
        for c in w.children:
            if c.tier >= 2 and "rms" in c.records:
                for kind in ("self_harm", "mental_health", "drugs"):
                    if w.chance(0.15):
                        self.marker(c, kind, w.when(max(w.start, c.dob + 10 * YEAR)), notes="Added after an incident.")


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
