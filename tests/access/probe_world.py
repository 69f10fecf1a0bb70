"""The probe's world: the agencies' world (tests/world.py `build_access_world`) with a restricted
record of every kind, findings and tasks built from them, and what each one is to a viewer.

Each planted record carries distinctive tokens (its text, its source id) and the attributes the
matrix decides on (type, source system, handling code, which children it involves), so the leak
walk (test_leak_walk.py) can say from `matrix.yaml` alone who may see each token, and the
schemathesis probe (tests/api/test_schemathesis_probe.py) has real ids to aim at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from safetynet.identity.models import Individual
from safetynet.lib.clock import FixedClock
from safetynet.records.models import Event, Marker, Order, Participation, Person, Plan
from safetynet.risk.models import Finding
from safetynet.work.models import Task
from safetynet.work.services import sync_tasks
from tests.world import RECORDED, AccessWorld, build_access_world, invented_finding

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Planted:
    """A source record in the probe's world, as the matrix sees it."""

    kind: str  # event | marker | plan | order
    source: str
    source_id: str
    type: str  # event, marker, plan or order type
    children: tuple[int, ...]  # individuals it involves (an order: its subject and protected)
    text: str = ""  # its distinctive free text ("" when it has none)
    handling: str | int | None = None
    intelligence: bool = False


@dataclass(frozen=True)
class PlantedFinding:
    pk: int
    task: int
    clause: str
    owner_role: str
    word: str  # the reason's distinctive word
    cites: tuple[tuple[str, str], ...]
    individual: int


@dataclass
class ProbeWorld:
    access: AccessWorld
    records: list[Planted]
    findings: list[PlantedFinding]
    # individual id -> its source systems and whether it attends the world's school
    children: dict[int, tuple[frozenset[str], bool]]
    names: dict[int, str]  # individual id -> its distinctive family name
    persons: dict[int, list[int]]  # individual id -> its person record ids
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self, source: str, source_id: str) -> Planted:
        return next(r for r in self.records if (r.source, r.source_id) == (source, source_id))


def _event(source: str, source_id: str, event_type: str, people: list[Person], **fields: Any) -> Event:
    event = Event.objects.create(
        source=source,
        source_id=source_id,
        recorded_at=RECORDED,
        payload={"secret_copy": fields.get("summary", "")},
        event_type=event_type,
        occurred_at=RECORDED,
        **fields,
    )
    for person in people:
        Participation.objects.create(event=event, person=person, role=Participation.Role.SUBJECT)
    return event


def _plant_records(w: AccessWorld) -> list[Planted]:
    """Records beyond the agencies' world: legacy 5x5x5 gradings, a crime, a self-harm marker,
    plans of a type a school may and may not see, an order, an event shared with the
    restricted child."""
    rms = Person.objects.get(source="rms", source_id="P1")
    other = Person.objects.get(source="rms", source_id="P2")
    secret = Person.objects.get(source="rms", source_id="P3")
    csc = Person.objects.get(source="csc", source_id="C1")
    pupil, police_only, restricted = w.pupil.pk, w.police_only.pk, w.restricted.pk
    made: list[Planted] = []
    for code in (1, 2, 3, 4, 5):
        text = f"LEGACY{code}SECRET intelligence graded 5x5x5"
        _event(
            "rms",
            f"LEG{code}",
            "intelligence",
            [rms],
            summary=text,
            details={"grading": {"source": "B", "intelligence": 2, "handling": code}, "text": text},
        )
        made.append(Planted("event", "rms", f"LEG{code}", "intelligence", (pupil,), text, code, True))
    _event("rms", "EV7", "crime", [rms], summary="CRIMESECRET burglary at the home", details={})
    made.append(Planted("event", "rms", "EV7", "crime", (pupil,), "CRIMESECRET burglary at the home"))
    _event("csc", "CS1", "referral", [csc], summary="CSCREFERRALTEXT referred by the school", details={})
    made.append(Planted("event", "csc", "CS1", "referral", (pupil,), "CSCREFERRALTEXT referred by the school"))
    joint = "JOINTSECRET seen with the restricted child"
    _event("rms", "EV8", "incident", [rms, secret], summary=joint, details={})
    made.append(Planted("event", "rms", "EV8", "incident", (pupil, restricted), joint))
    Marker.objects.create(
        source="rms", source_id="SH1", recorded_at=RECORDED, payload={}, person=rms, marker_type="self_harm"
    )
    made.append(Planted("marker", "rms", "SH1", "self_harm", (pupil,)))
    for code in (2, 4):
        Marker.objects.create(
            source="rms",
            source_id=f"LEGM{code}",
            recorded_at=RECORDED,
            payload={},
            person=rms,
            marker_type="cce_risk",
            grading={"source": "B", "intelligence": 2, "handling": code},
        )
        made.append(Planted("marker", "rms", f"LEGM{code}", "cce_risk", (pupil,), handling=code))
    for source_id, plan_type, text in (
        ("PL7", "child_protection_plan", "PLANOKSECRET core group on Tuesdays"),
        ("PL8", "cse_plan", "CSEPLANSECRET disruption of the older male"),
    ):
        Plan.objects.create(
            source="rms",
            source_id=source_id,
            recorded_at=RECORDED,
            payload={},
            person=rms,
            plan_type=plan_type,
            created_on=dt.date(2025, 12, 1),
            content=text,
        )
        made.append(Planted("plan", "rms", source_id, plan_type, (pupil,), text))
    order = Order.objects.create(
        source="rms", source_id="ORD1", recorded_at=RECORDED, payload={}, subject=other, order_type="cawn"
    )
    order.protected.add(rms)
    made.append(Planted("order", "rms", "ORD1", "cawn", (police_only, pupil)))
    # The agencies' world's own records.
    made += [
        Planted("event", "rms", "EV1", "incident", (pupil,), "Police attended a domestic incident at the home"),
        Planted("event", "rms", "EV2", "intelligence", (pupil,), "INTELTEXTSECRET", "P", True),
        Planted("event", "rms", "EV3", "intelligence", (pupil,), "HANDLINGCSECRET", "C", True),
        Planted("event", "health", "HV1", "referral", (pupil,), "HEALTHSECRET"),
        Planted("event", "rms", "EV4", "custody", (pupil,), "Detained overnight"),
        Planted("event", "rms", "EV5", "incident", (police_only,), "Another child's incident"),
        Planted("event", "rms", "EV6", "incident", (restricted,), "Restricted child's incident"),
        Planted("marker", "health", "MH1", "mental_health", (pupil,)),
        Planted("marker", "rms", "MK1", "cse_risk", (pupil,)),
    ]
    return made


# clause: (owner role, the reason's word, cited records, on the restricted child)
FINDINGS: dict[str, tuple[str, str, list[tuple[str, str]], bool]] = {
    "D1": ("sergeant", "FINDINCIDENTWORD", [("rms", "EV1")], False),
    "X1": ("exploitation_coordinator", "FINDINTELWORD", [("rms", "EV2")], False),
    "X3": ("exploitation_coordinator", "FINDHANDLINGCWORD", [("rms", "EV3"), ("rms", "EV1")], False),
    "H1": ("mash_officer", "FINDSELFHARMWORD", [("rms", "SH1"), ("rms", "EV1")], False),
    "H2": ("mash_officer", "FINDHEALTHWORD", [("health", "HV1")], False),
    "C1": ("custody_officer", "FINDCUSTODYWORD", [("rms", "EV4")], False),
    "M1": ("missing_persons_coordinator", "FINDLEGACYWORD", [("rms", "LEG4")], False),
    "M3": ("missing_persons_coordinator", "FINDSHAREABLEWORD", [("rms", "LEG2")], False),
    "P1": ("public_protection_officer", "FINDORDERWORD", [("rms", "ORD1")], False),
    "X2": ("exploitation_coordinator", "FINDPLANWORD", [("rms", "PL8")], False),
    "X4": ("exploitation_coordinator", "FINDJOINTWORD", [("rms", "EV8")], False),
    "Q1": ("partner_social_worker", "FINDCSCWORD", [("csc", "CS1")], False),
    "D2": ("sergeant", "FINDRESTRICTEDWORD", [("rms", "EV6")], True),
}


def raise_finding(
    individual: Individual, clause: str, owner: str, word: str, cites: list[tuple[str, str]], suffix: str = ""
) -> Finding:
    return invented_finding(
        individual,
        clause,
        owner_role=owner,
        reason=f"Finding {word} drawn from the cited records.",
        at=AT,
        cites=cites,
        fingerprint=f"probe-{clause}{suffix}",
    )


def build_probe_world() -> ProbeWorld:
    w = build_access_world()
    records = _plant_records(w)
    made = {
        clause: raise_finding(w.restricted if restricted else w.pupil, clause, owner, word, cites)
        for clause, (owner, word, cites, restricted) in FINDINGS.items()
    }
    sync_tasks(clock=FixedClock(AT))
    # All late, so supervisors' oversight counts and lists them.
    Task.objects.update(due_at=AT - dt.timedelta(hours=2))
    # Police hand the intelligence finding's task to the social worker (cross-agency assignment).
    Task.objects.filter(finding=made["X1"]).update(assignee=w.users["partner_social_worker"])
    tasks = dict(Task.objects.values_list("finding_id", "pk"))
    findings = [
        PlantedFinding(f.pk, tasks[f.pk], c, f.owner_role, FINDINGS[c][1], tuple(FINDINGS[c][2]), f.individual_id)
        for c, f in made.items()
    ]
    children: dict[int, tuple[frozenset[str], bool]] = {}
    names: dict[int, str] = {}
    persons: dict[int, list[int]] = {}
    for individual in (w.pupil, w.police_only, w.restricted):
        people = list(Person.objects.filter(membership__individual=individual).order_by("pk"))
        children[individual.pk] = (frozenset(p.source for p in people), any(p.school_id for p in people))
        names[individual.pk] = people[0].family_name
        persons[individual.pk] = [p.pk for p in people]
    return ProbeWorld(w, records, findings, children, names, persons)
