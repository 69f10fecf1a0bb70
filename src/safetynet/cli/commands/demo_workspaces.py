"""The demo steps of the workspaces (missing children, the MASH, police protection and custody):
each records live work through the workspace's own services, as its users would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.cli.commands.demo_context import DemoContext


def missing(ctx: DemoContext) -> None:
    """The demo call handler reports two repeat-missing children missing now from their children's
    home (graded at the floor, the facts read from their picture): the home's enquiries are
    recorded for the first; for the second, reported three hours ago, they are not, and the
    sweep raises that with children's social care. The coordinator records a trigger plan for
    the most often missing child with none current, and the coordinator's list is printed."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.lib.clock import FixedClock
    from safetynet.missing import care
    from safetynet.missing import services as missing
    from safetynet.reads.missing import coordinator_list
    from safetynet.records.models import Event
    from safetynet.work.philomena import escalate_missing_home_enquiries

    users = get_user_model().objects
    handler = users.filter(username=DEMO_USERNAMES[Role.CALL_HANDLER]).first()
    coordinator = users.filter(username=DEMO_USERNAMES[Role.MISSING_PERSONS_COORDINATOR]).first()
    if handler is None or coordinator is None:
        return
    now = ctx.clock.now()
    reported = 0
    if not Event.live.filter(source="safetynet", event_type="missing_report").exists():
        repeat = [r for r in coordinator_list(coordinator, now).repeat if not r.open_now][:2]
        for i, row in enumerate(repeat):
            home = care.placement_of(row.individual_id)
            at = FixedClock(now - dt.timedelta(hours=3 * i))
            given = missing.Report(
                last_seen_at=at.now() - dt.timedelta(hours=2),
                missing_from="care",
                circumstances="Did not come back to the children's home after school.",
                description="Dark jacket, grey joggers, white trainers.",
                reported_by="Children's home manager",
                risk="high",
                ethnicity_self_defined="NS",
                thrive={"vulnerability": "Repeat missing; exploitation concerns on record."},
                care_home=care.home_ref(home.pk) if home is not None else None,
            )
            episode = missing.report(row.individual_id, given, acting_user=handler, clock=at)
            if i == 0:
                care.record_home_enquiries(
                    episode.pk,
                    made_at=at.now() - dt.timedelta(hours=1),
                    checks=["searched_home", "phoned_child", "contacted_friends_family"],
                    made_by="Residential worker on shift",
                    findings="Not in the home or grounds; phone switched off; friends have not seen them.",
                    acting_user=handler,
                    clock=ctx.clock,
                )
            reported += 1
    escalated = escalate_missing_home_enquiries(clock=ctx.clock)
    found = coordinator_list(coordinator, now)
    planned = _demo_plan(found.repeat, coordinator, ctx.clock)
    top = ", ".join(f"{r.name} ({r.episodes_year})" for r in found.repeat[:3])
    ctx.notes.append(
        f"Missing children: {len(found.missing_now)} missing now ({reported} reported just now by the call handler; "
        f"{len(escalated)} without the home's enquiries escalated to children's social care), "
        f"{len(found.repeat)} children missing twice or more in 12 months (most often: {top}); {planned}sign in as "
        "the missing persons coordinator (or the call handler, sergeant), open Missing and filter by children's "
        "home or plan status."
    )


def _demo_plan(repeat: list[Any], coordinator: Any, clock: Any) -> str:
    """The coordinator records a trigger plan for the most often missing child with none current."""
    from safetynet.missing import plans

    target = next((r for r in repeat if r.plan != "current"), None)
    if target is None:
        return ""
    given = plans.PlanGiven(
        plan_type="trigger_plan",
        review_due=clock.now().date() + dt.timedelta(days=28),
        description="Description, clothing and build as last seen; see the latest episode.",
        risks="Repeat missing from care; exploitation concerns on record.",
        content="Call the home and the places on this plan first; check the associates' addresses.",
    )
    plans.record_plan(target.individual_id, given, acting_user=coordinator, clock=clock)
    return f"a trigger plan recorded for {target.name} (Missing > the child > Trigger plans); "


def mash(ctx: DemoContext, count: int = 6) -> None:
    """The demo response officer refers the children present at the latest domestic-abuse
    incidents to the MASH (ARTHUR filled): they wait in the MASH inbox on the red clock."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.identity.models import Membership
    from safetynet.mash import services as referrals
    from safetynet.records.models import Event, Participation

    officer = get_user_model().objects.filter(username=DEMO_USERNAMES[Role.RESPONSE_OFFICER]).first()
    if officer is None or Event.live.filter(source="safetynet", event_type="referral").exists():
        return
    present = Participation.objects.filter(
        role="present_child", event__event_type="incident", event__details__domestic_abuse=True, event__deleted=False
    ).order_by("-event__occurred_at")
    raised = 0
    for part in present[: count * 3]:
        child = Membership.objects.filter(person_id=part.person_id).values_list("individual_id", flat=True).first()
        new = referrals.NewReferral(
            child=child,
            concerns=["domestic_abuse"],
            what_happened="Police attended a domestic abuse incident at the home; the child was present.",
            arthur={"children_present": True, "spoke_to_child": True, "child_words": "I stayed in my room."},
            from_event=part.event_id,
        )
        try:
            referrals.raise_referral(new, acting_user=officer, clock=ctx.clock)
        except referrals.ReferralRefused:
            continue
        raised += 1
        if raised == count:
            break
    ctx.notes.append(
        f"MASH: {raised} referrals from domestic abuse incidents wait in the MASH inbox; sign in as the MASH officer "
        "and open MASH to triage them beside each child's history."
    )
    _forward_one(ctx, raised)


def _forward_one(ctx: DemoContext, raised: int) -> None:
    """The demo MASH officer triages the latest referral and forwards it to early help: it waits
    on the social worker's Transfers screen to be accepted or returned."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.mash import triage
    from safetynet.mash.services import ReferralRefused
    from safetynet.records.models import Event

    officer = get_user_model().objects.filter(username=DEMO_USERNAMES[Role.MASH_OFFICER]).first()
    latest = Event.live.filter(source="safetynet", event_type="referral").order_by("-occurred_at", "-pk").first()
    if officer is None or latest is None or raised < 2:
        return
    research = [
        triage.Research("police_systems", "The incident this referral was raised from; nothing earlier."),
        triage.Research("local_authority", "Nothing held."),
    ]
    try:
        triage.triage(latest.pk, grade="red", research=research, acting_user=officer, clock=ctx.clock)
        triage.decide(latest.pk, decision="forward", forward_to="early_help", acting_user=officer, clock=ctx.clock)
    except ReferralRefused as refused:  # the minimum grade may ask more of this child: leave it in the inbox
        ctx.notes.append(f"MASH: the demo transfer was not made ({refused.field}).")
        return
    ctx.notes.append(
        "MASH: one referral was forwarded to early help: sign in as the social worker and open Transfers to "
        "accept it or return it to the MASH with a reason."
    )


def _demo_children(count: int, now: dt.datetime) -> list[int]:
    """`count` individuals aged 12 to 16 (by a source record's full date of birth)."""
    from safetynet.identity.models import Membership

    young = f"{now.year - 16}-{now:%m-%d}"
    old = f"{now.year - 12}-{now:%m-%d}"
    found = Membership.objects.filter(
        person__date_of_birth__gt=young,
        person__date_of_birth__lt=old,
        person__date_of_birth__regex=r"^\d{4}-\d{2}-\d{2}$",
    )
    return list(dict.fromkeys(found.order_by("individual_id").values_list("individual_id", flat=True)[:50]))[:count]


def protection(ctx: DemoContext) -> None:
    """The demo response officer took a child into police protection five hours ago; the inspector
    is the designated officer and accommodation was asked for 4.5 hours ago (past P1's 4 hours).
    The demo custody officer booked in a child who was charged and refused bail; the s38(6)
    transfer to the local authority is waiting for an answer."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.protection import custody, police
    from safetynet.records.models import Event

    users = {r: get_user_model().objects.filter(username=DEMO_USERNAMES[r]).first() for r in DEMO_USERNAMES}
    now = ctx.clock.now().replace(second=0, microsecond=0)
    children = _demo_children(2, now)
    if len(children) < 2 or Event.live.filter(source="safetynet", event_type="police_protection").exists():
        return
    h = dt.timedelta(hours=1)
    officer, custody_officer = users[Role.RESPONSE_OFFICER], users[Role.CUSTODY_OFFICER]
    pp = police.take(
        acting_user=officer,
        individual_id=children[0],
        started_at=now - 5 * h,
        grounds="Found alone at night in a flat used for drug supply; parents not traceable.",
        place_of_safety="Custody suite, Central police station",
        place_is_police_station=True,
        clock=ctx.clock,
    )
    police.designate(pp.pk, acting_user=officer, officer=users[Role.INSPECTOR], at=now - 4.8 * h, clock=ctx.clock)
    police.request_accommodation(pp.pk, acting_user=officer, at=now - 4.5 * h, clock=ctx.clock)
    booked = custody.book_in(
        acting_user=custody_officer,
        individual_id=children[1],
        arrested_at=now - 9 * h,
        arrived_at=now - 8.5 * h,
        authorised_at=now - 8.4 * h,
        clock=ctx.clock,
    )
    custody.appropriate_adult(
        booked.pk, acting_user=custody_officer, requested_at=now - 8.3 * h, arrived_at=now - 7 * h, clock=ctx.clock
    )
    custody.charge(booked.pk, acting_user=custody_officer, at=now - 1 * h, bail_refused=True, clock=ctx.clock)
    custody.request_transfer(booked.pk, acting_user=custody_officer, at=now - 0.9 * h, clock=ctx.clock)
    ctx.notes.append(
        f"Protection: a child in police protection for 5 hours, waiting 4.5 hours for accommodation "
        f"(/protection/police/{pp.pk}/), and a child in custody, charged, refused bail, the s38(6) transfer "
        f"waiting and a review overdue (/protection/custody/{booked.pk}/): the list at /protection/ as "
        "response, inspector or custody; children's social care answers at /protection/requests/ as socialworker."
    )


def case_audit(ctx: DemoContext, size: int = 10) -> None:
    """The demo case auditor draws a dip sample of missing children from the last 90 days; the
    demo sergeant self-audits three of its cases and the case auditor grades two of those
    independently (disagreeing on one), so the agreement table has something to show and the
    rest of the sample waits for the user to grade."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.oversight import audits
    from safetynet.oversight.criteria import current_criteria
    from safetynet.oversight.models import AuditSample

    users = get_user_model().objects
    auditor = users.filter(username=DEMO_USERNAMES[Role.CASE_AUDITOR]).first()
    sergeant = users.filter(username=DEMO_USERNAMES[Role.SERGEANT]).first()
    if auditor is None or sergeant is None:
        return
    today = ctx.clock.now().date()
    sample = AuditSample.objects.filter(area="missing").first()
    if sample is None:
        draw = audits.Draw("missing", today - dt.timedelta(days=90), today, size, seed=ctx.seed)
        sample = audits.draw_sample(draw, acting_user=auditor, clock=ctx.clock)
        criteria = [c.id for c in current_criteria().area("missing").criteria]
        met = dict.fromkeys(criteria, "met")
        late = {**met, "timely_response": "not_met"}
        graded = [
            (sergeant, "good", met),
            (sergeant, "good", met),
            (sergeant, "requires_improvement", {**met, "supervised": "not_met"}),
            (auditor, "good", met),
            (auditor, "inadequate", late),
        ]
        cases = list(sample.cases.all()[:3])
        for i, (user, grade, answers) in enumerate(graded):
            if i % 3 < len(cases):
                audits.grade_case(cases[i % 3].pk, grade=grade, answers=answers, acting_user=user, clock=ctx.clock)
    ctx.notes.append(
        f"Case file audit: the case auditor ({DEMO_USERNAMES[Role.CASE_AUDITOR]}, second factor: a backup code) "
        f"drew a dip sample of {sample.cases.count()} missing-children cases (/oversight/case-audit/samples/"
        f"{sample.pk}/); the sergeant self-audited three and the case auditor graded two of them, so the agreement "
        "table on Case audit shows one agreement and one difference. Grade the rest, or draw another area. "
        "Managers (superintendent, inspector, sergeant) have Escalations > open escalations by agency and age "
        "(/escalations/partnership/); the analyst's dashboard links the timeliness chart (/dashboard/timeliness/)."
    )


def dashboards(ctx: DemoContext) -> None:
    """The oversight dashboards read the county as built: this step counts the repeat missing
    dashboard's last 90 days once (so the demo says what the analyst will see) and points at
    every dashboard, the inspection lists and a child's chronology as CSV."""
    from safetynet.reads.dashboards import DASHBOARDS, Filters

    today = ctx.clock.now().date()
    months = DASHBOARDS["missing"].build(Filters(today - dt.timedelta(days=90), today), ctx.clock.now())[0]
    whole = months.rows[-1].cells
    links = ", ".join(f"/dashboards/{code}/" for code in DASHBOARDS)
    ctx.notes.append(
        f"Dashboards (analyst, sergeant and above, case auditor): over the last 90 days {whole[0].value} missing "
        f"reports about {whole[1].value} children, {whole[2].value} of them missing 3+ times (/dashboards/missing/). "
        f"Every dashboard ({links}) has a chart, its numbers in a table, filters (period, agency, area), the "
        "records behind each number and each table as CSV. Inspection lists as CSV: /oversight/inspection-lists/; "
        "a child's chronology and picture as CSV: the links on the person page (analyst, sergeant)."
    )
    outcomes = {
        t.code: t for t in DASHBOARDS["outcomes"].build(Filters(today - dt.timedelta(days=90), today), ctx.clock.now())
    }

    def total(code: str) -> int:  # the table's "All" row, first column
        return outcomes[code].rows[-1].cells[0].value

    crimes = {r.code: r.cells[0].value for r in outcomes["crimes"].rows}
    either = next(r for r in outcomes["repeat"].rows if r.code == "any").cells
    ctx.notes.append(
        f"Outcomes over the last 90 days (/dashboards/outcomes/): {crimes['all']} crimes against children, "
        f"{crimes['charged']} of them charged; {total('orders')} protective orders and {total('plans')} plans put in "
        f"place for children; {either[0].value} children with an intervention: {either[3].value} missing reports "
        f"in the 90 days before it, {either[4].value} after."
    )


def encompass(ctx: DemoContext) -> None:
    """Operation Encompass: the demo sergeant tells one child's school of a domestic abuse
    incident (D1) and leaves the rest on the list; the demo school's safeguarding lead has it to
    acknowledge. The demo school is pointed at that child's school when it is another one."""
    from django.contrib.auth import get_user_model

    from safetynet.access.models import Team
    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.mash import encompass as notices
    from safetynet.reads.encompass import to_send

    sergeant = get_user_model().objects.filter(username=DEMO_USERNAMES[Role.SERGEANT]).first()
    team = Team.objects.filter(code="demo-school").first()
    if sergeant is None or team is None:
        return
    due = [r for r in to_send(sergeant, ctx.clock.now()) if r.partner and not r.told_at]
    if not due:
        ctx.notes.append("Operation Encompass: no school is waiting to be told of a domestic abuse incident.")
        return
    row = next((r for r in due if notices.school_of(r.individual_id) == team.organisation), due[0])
    school = notices.school_of(row.individual_id)
    if school is not None and team.organisation_id != school.pk:
        team.organisation = school
        team.save(update_fields=["organisation"])
    notices.send(
        row.incident.pk,
        row.individual_id,
        "Police attended a domestic abuse incident at home last night; the child was present and is staying "
        "with their grandmother. Please make sure a trusted adult checks in with them today.",
        acting_user=sergeant,
        clock=ctx.clock,
    )
    ctx.notes.append(
        f"Operation Encompass: {len(due) - 1} school(s) still to be told (sign in as the sergeant and open "
        f"Encompass); {school.name if school else 'the school'} has one notification to acknowledge (sign in as "
        "the education partner: it is their first screen)."
    )


def gp_notifications(ctx: DemoContext) -> None:
    """GP notifications: the demo sergeant tells one child's GP practice of a domestic abuse
    incident of the last 30 days and leaves the rest on the list; the demo health partner's team
    is pointed at that practice, so the notification waits on their From the police screen."""
    from django.contrib.auth import get_user_model

    from safetynet.access.models import Team
    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.mash import encompass as notices
    from safetynet.reads.encompass import gp_to_send

    sergeant = get_user_model().objects.filter(username=DEMO_USERNAMES[Role.SERGEANT]).first()
    team = Team.objects.filter(agency__code="health").order_by("pk").first()
    if sergeant is None or team is None:
        return
    due = [r for r in gp_to_send(sergeant, ctx.clock.now()) if r.partner]
    if not due:
        ctx.notes.append("GP notifications: no GP practice is waiting to be told of a domestic abuse incident.")
        return
    row = due[0]
    practice = notices.partners_of([row.individual_id], notices.GP)[row.individual_id]
    if team.organisation_id != practice.pk:
        team.organisation = practice
        team.save(update_fields=["organisation"])
    notices.send(
        row.incident.pk,
        row.individual_id,
        "Police attended a domestic abuse incident at the child's home; the child was present. Please consider "
        "a health visitor or school nurse contact and note it for any appointment.",
        acting_user=sergeant,
        clock=ctx.clock,
        scheme=notices.GP,
    )
    ctx.notes.append(
        f"GP notifications: {len(due) - 1} practice notification(s) still to send (sign in as the sergeant: "
        f"GP notifications); {practice.name} has one to acknowledge (sign in as the health partner: "
        "From the police)."
    )


def exploitation(ctx: DemoContext) -> None:
    """The demo exploitation coordinator starts a disruption plan for the adult of the latest X2
    finding (the children linked to him protected) with an action owned by the demo public
    protection officer; the demo OCAIT officer records an image offence (one child depicted,
    three sharers, one decision made) and a phone seized and submitted as priority; the forensic
    backlog holds it beside the county's own devices. The note names the adult's network page."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.exploitation import disruption, online, profile
    from safetynet.exploitation.common import ExploitationRefused
    from safetynet.records.models import Event
    from safetynet.risk.models import Finding

    users = {r: get_user_model().objects.filter(username=DEMO_USERNAMES[r]).first() for r in DEMO_USERNAMES}
    coordinator, ppo, ocait = (
        users[r] for r in (Role.EXPLOITATION_COORDINATOR, Role.PUBLIC_PROTECTION_OFFICER, Role.OCAIT_OFFICER)
    )
    if (
        None in (coordinator, ppo, ocait)
        or Event.live.filter(source="safetynet", event_type="disruption_plan").exists()
    ):
        return
    now = ctx.clock.now().replace(second=0, microsecond=0)
    day = dt.timedelta(days=1)
    adult, plan_note = None, "no open X2 finding names an adult"
    for finding in Finding.objects.filter(clause="X2", state=Finding.State.OPEN).order_by("-raised_at")[:50]:
        named = profile.adults_in(finding)
        children = [c.individual for c in profile.profile(named[0], now).children][:3] if named else []
        if not children:
            continue
        adult = named[0]
        try:
            plan = disruption.start(
                adult, aim="Disrupt this adult's contact with the children linked to him.", children=children,
                finding=finding.pk, acting_user=coordinator, clock=ctx.clock,
            )  # fmt: skip
            disruption.add_action(
                plan.pk, text="Apply to the magistrates for a sexual risk order.", owner_user=ppo.pk, about=adult,  # type: ignore[union-attr]
                due=(now + 7 * day).date(), acting_user=coordinator, clock=ctx.clock,
            )  # fmt: skip
            plan_note = f"a disruption plan for the adult at /exploitation/adults/{adult}/ with an action for the PPU"
        except ExploitationRefused as refused:
            plan_note = f"no disruption plan ({refused.field}: {refused.expected})"
        break
    if adult is not None:
        plan_note += f"; his network (2 hops, grouped, with its table) at /people/{adult}/network/?hops=2"
    kids = _demo_children(4, now)
    offence_note = "no image offence (too few children aged 12 to 16)"
    if len(kids) == 4:
        offence = online.record_offence(
            offence="Sharing an indecent image of a child between pupils", occurred_at=now - 2 * day,
            children=[(kids[0], "depicted"), *((k, "sharer") for k in kids[1:])], acting_user=ocait, clock=ctx.clock,
        )  # fmt: skip
        online.decide(offence.pk, kids[1], decision="Referral to the MASH; the school's safeguarding lead told.",
                      acting_user=ocait, clock=ctx.clock)  # fmt: skip
        exam = online.seize(
            offence.pk, device="Mobile phone", seized_at=now - 2 * day, acting_user=ocait, clock=ctx.clock
        )
        online.submit(exam.pk, submitted_at=now - day, priority="priority", acting_user=ocait, clock=ctx.clock)
        offence_note = f"an image offence at /online/offences/{offence.pk}/ (3 of 4 children still need a decision)"
    waiting = online.backlog(now)
    overdue = sum(1 for w in waiting if w.overdue)
    x1 = Finding.objects.filter(clause="X1", state=Finding.State.OPEN).order_by("-raised_at")
    screen = (
        f"; {x1.count()} child(ren) to screen (X1), e.g. /exploitation/children/{x1[0].individual_id}/screening/"
        if x1
        else ""
    )
    ctx.notes.append(
        f"Exploitation: {plan_note}{screen}; sign in as exploitation and open Exploitation. "
        f"Online abuse: {offence_note}; "
        f"the forensic backlog holds {len(waiting)} device(s), {overdue} past target: sign in as ocait or forensics."
    )


def offenders(ctx: DemoContext) -> None:
    """The demo public protection officer records ARMS visits: one registered sex offender
    assessed very high priority at a visit 40 days ago (a visit every 28 days: overdue, S2), one
    assessed medium at a visit made this morning; the demo response officer refers a child who
    lives at a registered sex offender's address (S1) to the MASH, and the referral warns."""
    from django.contrib.auth import get_user_model

    from safetynet.access.roles import Role
    from safetynet.accounts.demo import DEMO_USERNAMES
    from safetynet.exploitation import offenders as visits
    from safetynet.exploitation.common import ExploitationRefused
    from safetynet.mash import services as referrals
    from safetynet.records.models import Event
    from safetynet.risk.models import Finding
    from safetynet.risk.services import refresh_findings

    users = {r: get_user_model().objects.filter(username=DEMO_USERNAMES[r]).first() for r in DEMO_USERNAMES}
    ppo, officer = users[Role.PUBLIC_PROTECTION_OFFICER], users[Role.RESPONSE_OFFICER]
    if None in (ppo, officer) or Event.live.filter(source="safetynet", event_type="offender_visit").exists():
        return
    now = ctx.clock.now().replace(second=0, microsecond=0)
    rows = visits.schedule(now)
    notes = []
    plans = [
        ("very_high", now - dt.timedelta(days=40), ["opportunity_to_offend", "sexual_preoccupation"], []),
        ("medium", now - dt.timedelta(hours=3), ["poor_self_management"], ["social_investment"]),
    ]
    # The overdue one: an offender whose last visit is older than the demo's (so it is the last).
    older = [r for r in rows if r.last_visit is None or (r.last_visit.occurred_at or now) < now - dt.timedelta(days=41)]
    chosen = older[:1] + [r for r in rows if r not in older[:1]][:1]
    for row, (priority, when, risks, protective) in zip(chosen, plans, strict=False):
        try:
            visits.record_visit(
                row.individual, visited_at=when, announced=priority == "medium", devices_checked=True,
                findings="Home visit; phone and laptop checked; notification requirements met.",
                arms_priority=priority, risk_factors=risks, protective_factors=protective,
                acting_user=ppo, clock=ctx.clock,
            )  # fmt: skip
        except ExploitationRefused as refused:
            notes.append(f"no visit recorded ({refused.field}: {refused.expected})")
            continue
        refresh_findings([row.individual], clock=ctx.clock)
    overdue = [r for r in visits.schedule(now) if r.overdue]
    notes.append(
        f"{len(rows)} registered sex offender(s) on the visit schedule, {len(overdue)} with a visit overdue (S2)"
    )
    s1 = Finding.objects.filter(clause="S1", state=Finding.State.OPEN).order_by("-raised_at").first()
    if s1 is not None and s1.individual_id is not None:
        new = referrals.NewReferral(
            child=s1.individual_id,
            concerns=["sexual"],
            what_happened="A neighbour reports an adult man has moved in with the family; the child seemed anxious.",
            arthur={"children_present": True, "spoke_to_child": True, "child_words": "He is my mum's friend."},
        )
        try:
            referral = referrals.raise_referral(new, acting_user=officer, clock=ctx.clock)
            notes.append(f"a referral at a registered sex offender's address warns at /mash/referrals/{referral.pk}/")
        except referrals.ReferralRefused as refused:
            notes.append(f"no referral at an offender's address ({refused})")
    ctx.notes.append(
        "Offender visits: " + "; ".join(notes) + "; sign in as ppu and open Offender visits (ARMS priority, "
        "last visit, next due, overdue first)."
    )
