"""Multi-agency meetings (MARAC, MACE, strategy discussions) and their actions (X3)."""

from __future__ import annotations

from safetynet.synth import names
from safetynet.synth.events.days import working_days_after
from safetynet.synth.events.recorder import Record, Recorder, Ref
from safetynet.synth.world import (
    DAY,
    HOUR,
    RMS,
    Human,
    fmt_d,
    fmt_dt,
)

SUMMARIES = {
    "marac": "MARAC: high-risk domestic abuse case discussed; children considered.",
    "mace": "MACE: children at risk of exploitation and the adults around them.",
    "strategy_discussion": "Strategy discussion: reasonable cause to suspect significant harm considered.",
}
ACTION_TEXTS = (
    "Complete safety plan with the child and carer.",
    "Share intelligence on associated adults with the exploitation team.",
    "School to monitor attendance and report absences daily.",
    "Arrange health review including sexual health.",
    "Visit the addresses named and record who is present.",
    "Refer to the return home interview service.",
)


def meeting(
    sim: Recorder,
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
    w = sim.w
    chair = sim.staff(sim.inspectors if source == RMS else sim.social_workers)
    attendees = meeting_attendees(sim, chair, meeting_type)
    planted = bool(children) and sim.plant("action_no_owner")
    actions, overdue = meeting_actions(sim, t, children)
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
    summary = SUMMARIES.get(meeting_type, "Multi-agency meeting.")
    eid = w.next_id("MTG")
    ref = {"source": source, "id": eid}
    sim.emit_event(
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
            sim.fail("X3", c, ref)
    return ref


def meeting_attendees(sim: Recorder, chair: dict[str, str], meeting_type: str) -> list[dict[str, str]]:
    """Returns the chair, a social worker, health and (strategy discussions, MACE) education."""
    w = sim.w
    attendees = [
        {"name": chair["name"], "role": chair["role"], "organisation": chair["organisation"]},
        {"name": sim.staff(sim.social_workers)["name"], "role": "partner_social_worker", "organisation": "csc"},
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
    return attendees


def meeting_actions(sim: Recorder, t: int, children: list[Human]) -> tuple[list[Record], bool]:
    """Returns the meeting's actions, each owned and dated, and whether one is overdue (X3)."""
    w = sim.w
    actions = []
    overdue = False
    for i in range(w.rng.randint(2, 4)):
        due = t + int(w.rng.uniform(3, 20) * DAY)
        owner = sim.staff(sim.social_workers if i % 2 else sim.detectives)
        # An action due before the end is done on time, or (X3) never marked done.
        late = due < sim.end and (sim.plant("action_overdue") if children else w.chance(sim.rate["action_overdue"]))
        overdue = overdue or late
        actions.append(
            {
                "text": w.pick(ACTION_TEXTS),
                "owner": f"{owner['name']} ({owner['organisation']})",
                "due": fmt_d(due),
                "done_at": fmt_dt(due - int(w.rng.uniform(0, 2) * DAY)) if due < sim.end and not late else None,
            }
        )
    return actions, overdue
