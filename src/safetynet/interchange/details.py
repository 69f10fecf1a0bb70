"""The `details` of each event type in interchange format v1 (`DETAILS_BY_TYPE`), validated by
the importer per type and published in the JSON Schema with if/then."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt

from safetynet.interchange.fields import (
    AccommodationOutcome,
    Actor,
    Concern,
    CrimeStatus,
    Date,
    DateOrDateTime,
    DateTime,
    DisruptionStatus,
    Grading,
    Involvement,
    MeetingStatus,
    MeetingType,
    MissingFrom,
    MissingRisk,
    OpenModel,
    OrderType,
    Ref,
    Research,
    Scheme,
    SelfDefinedEthnicity,
    ShortText,
    Text,
    ThriveGrade,
    TriageGrade,
)


class Thrive(OpenModel):
    threat: Text | None = None
    harm: Text | None = None
    risk: Text | None = None
    investigation: Text | None = None
    vulnerability: Text | None = None
    engagement: Text | None = None
    grade: ThriveGrade | None = None


class ChildContact(OpenModel):
    spoke_to_child: StrictBool | None = None
    spoke_alone: StrictBool | None = None
    voice_of_child: Text | None = None
    demeanour: Text | None = None
    wishes_feelings: Text | None = None
    bwv_used: StrictBool | None = None


class IncidentDetails(OpenModel):
    thrive: Thrive | None = None
    children_present: StrictBool | None = None
    domestic_abuse: StrictBool | None = None
    child_contact: ChildContact | None = None


class RiskReview(OpenModel):
    at: DateTime | None = None
    by: Actor | None = None
    risk: MissingRisk | None = None
    rationale: Text | None = None
    actions: list[Text] | Text | None = None


class LineOfEnquiry(OpenModel):
    """One line of enquiry. Optional fields added by the missing workspace (docs/missing.md):
    `proposed_from` (what in the picture proposed it: cawn, relationship, plan, found_before),
    `added_by`, and when done `done_by` and `outcome`."""

    text: Text | None = None
    location: Ref | None = None
    person: Ref | None = None
    done_at: DateTime | None = None
    proposed_from: Annotated[str, Field(max_length=40)] | None = None
    added_by: Actor | None = None
    done_by: Actor | None = None
    outcome: Text | None = None


class ReturnHomeInterview(OpenModel):
    """Optional fields added by the missing workspace: `due_at` (72 hours after the child was
    found, policy M6), `outcome` (what the child said and what follows) and `declined`."""

    offered_at: DateTime | None = None
    completed_at: DateTime | None = None
    by: Actor | None = None
    due_at: DateTime | None = None
    outcome: Text | None = None
    declined: StrictBool | None = None


class MissingFloor(OpenModel):
    """The policy floor shown to whoever graded the report, before they chose the grade, and
    the facts behind it (`facts`, one sentence each, no names), under policy `policy_version`."""

    grade: MissingRisk | None = None
    facts: list[Text] | None = None
    policy_version: Annotated[str, Field(max_length=20)] | None = None


class HomeEnquiries(OpenModel):
    """The care home's own initial enquiries for a child missing from care (Philomena): when they
    were made, which checks (`searched_home`, `phoned_child`, `contacted_friends_family`,
    `visited_known_places`, `checked_social_media`, `contacted_school`), what they found, who
    made them and who recorded them."""

    made_at: DateTime | None = None
    checks: list[ShortText] | None = None
    findings: Text | None = None
    made_by: Actor | None = None
    recorded_at: DateTime | None = None
    recorded_by: Actor | None = None


class MissingReportDetails(OpenModel):
    missing_from: MissingFrom | None = None
    reported_by: Actor | None = None
    last_seen_at: DateTime | None = None
    last_seen_location: Ref | None = None
    initial_risk: MissingRisk | None = None
    risk_rationale: Text | None = None
    reviews: list[RiskReview] | None = None
    officer_in_charge: Actor | None = None
    lines_of_enquiry: list[LineOfEnquiry] | None = None
    found_at: DateTime | None = None
    found_location: Ref | None = None
    found_by: Actor | None = None
    returned_of_own_accord: StrictBool | None = None
    prevention_interview_at: DateTime | None = None
    return_home_interview: ReturnHomeInterview | None = None
    # Optional fields added by the missing workspace (docs/missing.md). The officer in charge
    # may carry `assigned_at` (policy M2's one-hour clock reads it).
    circumstances: Text | None = None
    description: Text | None = None
    thrive: Thrive | None = None
    ethnicity_self_defined: SelfDefinedEthnicity | None = None
    graded_by: Actor | None = None
    floor: MissingFloor | None = None
    safeguarding_referral: Ref | None = None
    # A child missing from care: the children's home they are missing from, and the home's own
    # initial enquiries before and after reporting (the Philomena protocol, docs/missing.md).
    care_home: Ref | None = None
    home_enquiries: HomeEnquiries | None = None


class RequestChase(OpenModel):
    at: DateTime | None = None
    by: Actor | None = None
    note: Text | None = None


class ExternalRequest(OpenModel):
    """A request to another force. Optional fields added by the exploitation workspace
    (docs/exploitation.md): `id` (unique within the crime), `requested_by`, `chases` (each
    chase: when, who, a note), `answer` and `answered_by`."""

    to_force: Text | None = None
    requested_at: DateTime | None = None
    completed_at: DateTime | None = None
    text: Text | None = None
    id: Annotated[str, Field(max_length=40)] | None = None
    requested_by: Actor | None = None
    chases: list[RequestChase] | None = None
    answer: Text | None = None
    answered_by: Actor | None = None


class ChildInvolved(OpenModel):
    """A child involved in an indecent-image offence and the safeguarding decision about them
    (the exploitation workspace, docs/exploitation.md; policy O1: every child involved is
    considered): `involvement` depicted, sharer, recipient or sibling."""

    person: Ref
    involvement: Involvement
    decision: Text | None = None
    decided_by: Actor | None = None
    decided_at: DateTime | None = None


class CrimeDetails(OpenModel):
    """Optional field added by the exploitation workspace: `children_involved`."""

    offence: Text | None = None
    offence_code: Text | None = None
    sexual_offence: StrictBool | None = None
    online: StrictBool | None = None
    status: CrimeStatus | None = None
    investigation_plan: Text | None = None
    external_requests: list[ExternalRequest] | None = None
    children_involved: list[ChildInvolved] | None = None


class ResearchRecord(OpenModel):
    """One system a MASH officer researched at triage (docs/mash.md): which (`system`), who
    checked it and when, and what it found (free text; "nothing held" when it held nothing)."""

    system: Research
    checked_by: Actor | None = None
    checked_at: DateTime | None = None
    found: Text | None = None


class Triage(OpenModel):
    """Optional fields added by the MASH workspace (docs/mash.md): `research_records` (one per
    system researched), `minimum_grade` (the grade the policy asked when it was graded),
    `rationale` (why a grade below that minimum), `decision_rationale`, `decided_at`,
    `decided_by`, `strategy_discussion` (the meeting the decision called) and `forwarded_to`."""

    grade: TriageGrade | None = None
    at: DateTime | None = None
    by: Actor | None = None
    research: Research | list[Research] | None = None
    decision: Text | None = None
    research_records: list[ResearchRecord] | None = None
    minimum_grade: TriageGrade | None = None
    rationale: Text | None = None
    decision_rationale: Text | None = None
    decided_at: DateTime | None = None
    decided_by: Actor | None = None
    strategy_discussion: Ref | None = None
    forwarded_to: Text | None = None


class Arthur(OpenModel):
    """The ARTHUR prompt as the officer answered it: Are there children present? Review the
    risk, Take time to speak to the child, How do they appear, Understand their wishes and
    feelings, Record it (the child's words, demeanour and wishes)."""

    children_present: StrictBool | None = None
    review_risk: Text | None = None
    spoke_to_child: StrictBool | None = None
    how_they_appear: Text | None = None
    wishes_feelings: Text | None = None
    child_words: Text | None = None


class Dash(OpenModel):
    """The DASH risk checklist: `answers` (question number as text -> yes) and `score` (the
    number of yes answers, 0-27)."""

    answers: dict[str, StrictBool] | None = None
    score: Annotated[StrictInt, Field(ge=0, le=27)] | None = None


class Feedback(OpenModel):
    """What the referring officer was told when triage completed, and when."""

    sent_at: DateTime | None = None
    to: Actor | None = None
    text: Text | None = None


class Transfer(OpenModel):
    """A referral forwarded by the MASH to children's social care (docs/mash.md "Transfers"):
    `to` (allocated_worker or early_help), `state` (pending, accepted or returned), who sent it
    and when, who answered and when, and the `reason` a returned one gives."""

    to: Literal["allocated_worker", "early_help"] | None = None
    state: Literal["pending", "accepted", "returned"] | None = None
    sent_at: DateTime | None = None
    sent_by: Actor | None = None
    answered_at: DateTime | None = None
    answered_by: Actor | None = None
    reason: Text | None = None


class ReferralDetails(OpenModel):
    """Optional fields added by the MASH workspace (docs/mash.md): `what_happened`, `arthur`,
    `ethnicity_self_defined`, `bwv_reference`, `dash`, `feedback`, `marac_criteria` (why the
    case meets the MARAC criteria), `marac` (the MARAC whose agenda it was put on), `transfer`
    (the referral forwarded to children's social care) and `transfers_returned` (earlier
    transfers the receiving team returned, with their reasons)."""

    concern: list[Concern] | None = None
    referrer: Actor | None = None
    received_at: DateTime | None = None
    triage: Triage | None = None
    outcome: Text | None = None
    what_happened: Text | None = None
    arthur: Arthur | None = None
    ethnicity_self_defined: Text | None = None
    bwv_reference: Annotated[str, Field(max_length=80)] | None = None
    dash: Dash | None = None
    feedback: Feedback | None = None
    marac: Ref | None = None
    marac_criteria: list[Text] | None = None
    transfer: Transfer | None = None
    transfers_returned: list[Transfer] | None = None


class MeetingAction(OpenModel):
    """One action. Optional fields added by the meetings workspace (docs/meetings.md): `id`
    (unique within the meeting), `about` (the person it is for), `outcome` and `done_by` (when
    done). An `owner` object may carry `organisation` (an agency code), `team` (a team code) and
    `username` (a user of this system): such an action is its owner's task (policy clause X7)."""

    id: Annotated[str, Field(max_length=40)] | None = None
    text: Text | None = None
    owner: Actor | None = None
    about: Ref | None = None
    due: DateOrDateTime | None = None
    done_at: DateTime | None = None
    done_by: Actor | None = None
    outcome: Text | None = None


class AgendaItem(OpenModel):
    """A person on a meeting's agenda: why (`reason`, and the finding `clause` that put them
    there when built from the picture), and, when the chair took them off, `removed_reason`."""

    person: Ref
    reason: Text | None = None
    clause: Annotated[str, Field(max_length=8)] | None = None
    added_by: Actor | None = None
    removed_reason: Text | None = None
    repeat: StrictBool | None = None


class SharedInformation(OpenModel):
    """What an agency told the meeting (`by`: the attendee or their organisation)."""

    by: Actor | None = None
    text: Text


class MeetingDetails(OpenModel):
    meeting_type: MeetingType | None = None
    status: MeetingStatus | None = None
    chair: Actor | None = None
    attendees: list[Actor] | None = None
    apologies: list[Actor] | None = None
    subjects: list[Ref] | None = None
    agenda: list[AgendaItem] | None = None
    trigger: Ref | None = None
    information_shared: list[SharedInformation] | None = None
    decisions: list[Text] | Text | None = None
    actions: list[MeetingAction] | None = None
    outcome_recorded: StrictBool | None = None
    outcome_recorded_at: DateTime | None = None


class Handover(OpenModel):
    at: DateTime | None = None
    from_: Actor | None = Field(default=None, alias="from")
    to: Actor | None = None


class PoliceProtectionDetails(OpenModel):
    started_at: DateTime | None = None
    designated_officer: Actor | None = None
    authorised_at: DateTime | None = None
    rationale: Text | None = None
    handovers: list[Handover] | None = None
    csc_notified_at: DateTime | None = None
    accommodation_requested_at: DateTime | None = None
    accommodation_provided_at: DateTime | None = None
    ended_at: DateTime | None = None
    end_rationale: Text | None = None
    # Optional, written by the protection workspace (docs/protection.md):
    grounds: Text | None = None
    place_of_safety: Text | None = None
    place_is_police_station: StrictBool | None = None
    csc_notified_by: Actor | None = None
    parents_notified_at: DateTime | None = None


class CustodyReview(OpenModel):
    at: DateTime | None = None
    by: Actor | None = None
    in_presence_of_child: StrictBool | None = None


class CustodyDetails(OpenModel):
    arrested_at: DateTime | None = None
    arrived_at: DateTime | None = None
    appropriate_adult_requested_at: DateTime | None = None
    appropriate_adult_arrived_at: DateTime | None = None
    healthcare_seen_at: DateTime | None = None
    reviews: list[CustodyReview] | None = None
    charged_at: DateTime | None = None
    bail_refused: StrictBool | None = None
    la_accommodation_requested_at: DateTime | None = None
    la_accommodation_outcome: AccommodationOutcome | None = None
    certificate_reason: Text | None = None
    released_at: DateTime | None = None
    # Optional, written by the protection workspace (docs/protection.md):
    authorised_at: DateTime | None = None
    la_accommodation_answered_at: DateTime | None = None
    certificate_by: Actor | None = None


class IntelligenceDetails(OpenModel):
    """Optional field added by the exploitation workspace: `handling_conditions` (the conditions
    on sharing an item graded handling C)."""

    grading: Grading | None = None
    text: Text | None = None
    confirmed: StrictBool | None = None
    handling_conditions: Text | None = None


class NotificationDetails(OpenModel):
    """Optional fields added by the MASH workspace (docs/mash.md): `information` (what the school
    is told), `sent_by`, and `acknowledged_at` and `acknowledged_by`, when the school (or GP)
    acknowledged it in safetynet."""

    scheme: Scheme | None = None
    to: Ref | None = None
    sent_at: DateTime | None = None
    information: Text | None = None
    sent_by: Actor | None = None
    acknowledged_at: DateTime | None = None
    acknowledged_by: Actor | None = None


ArmsPriority = Literal["very_high", "high", "medium", "low"]
ArmsRiskFactor = Literal[
    "opportunity_to_offend",
    "sexual_preoccupation",
    "offence_related_sexual_interest",
    "emotional_congruence_with_children",
    "hostile_orientation",
    "poor_self_management",
    "negative_social_influences",
]
ArmsProtectiveFactor = Literal[
    "social_investment", "commitment_to_desist", "positive_social_influences", "intimate_relationship"
]


class ArmsAssessment(OpenModel):
    """An ARMS assessment (Active Risk Management System, standards.md section 8) made at a
    visit, added by the exploitation workspace: the work `priority` it sets (very high, high,
    medium, low), the day it was made (`assessed_on`), who made it, and which of the 7 risk
    and 4 protective factors were found present (a factor not listed was found absent)."""

    priority: ArmsPriority
    assessed_on: Date | None = None
    assessed_by: Actor | None = None
    risk_factors: list[ArmsRiskFactor] | None = None
    protective_factors: list[ArmsProtectiveFactor] | None = None


class OffenderVisitDetails(OpenModel):
    """Optional fields added by the exploitation workspace: `visited_by` (who made the visit)
    and `arms` (the ARMS assessment made at the visit: its priority sets when the next visit is
    due, policy S2)."""

    announced: StrictBool | None = None
    visited_at: DateTime | None = None
    findings: Text | None = None
    devices_checked: StrictBool | None = None
    visited_by: Actor | None = None
    arms: ArmsAssessment | None = None


class DeviceExaminationDetails(OpenModel):
    """Optional fields added by the exploitation workspace: `device` (what was seized, no
    names), `seized_at`, `submitted_by`, `returned_by` and `outcome` (what the examination
    found). `priority` is `priority` (30-day target, O2) or `standard` (75 days) when written
    in safetynet; other sources' words are kept as sent and read as standard."""

    submitted_at: DateTime | None = None
    priority: Text | None = None
    returned_at: DateTime | None = None
    caid_uploaded_at: DateTime | None = None
    first_generation_images: StrictBool | None = None
    device: Text | None = None
    seized_at: DateTime | None = None
    submitted_by: Actor | None = None
    returned_by: Actor | None = None
    outcome: Text | None = None


class DisruptionOrder(OpenModel):
    """An order a disruption plan seeks or holds: its type, where it stands and, once made,
    the `order` record it became (a CAWN raised from the adult's profile)."""

    order_type: OrderType
    status: DisruptionStatus | None = None
    note: Text | None = None
    order: Ref | None = None


class DisruptionPlanDetails(OpenModel):
    """A plan to disrupt an adult of concern (event type `disruption_plan`, written by the
    exploitation workspace, docs/exploitation.md): the `adult`, the `children` it protects,
    the finding clause that started it (`clause`, X2), the `orders` sought and the owned
    `actions` (shaped as a meeting's: each owned, dated action is its owner's task, X7), and,
    once closed, `closed_at`, `closed_by` and `closed_reason` (why it closed)."""

    adult: Ref | None = None
    children: list[Ref] | None = None
    clause: Annotated[str, Field(max_length=8)] | None = None
    aim: Text | None = None
    orders: list[DisruptionOrder] | None = None
    actions: list[MeetingAction] | None = None
    closed_at: DateTime | None = None
    closed_by: Actor | None = None
    closed_reason: Text | None = None


class ScreeningDetails(OpenModel):
    """A screening of a child with a screening tool (event type `screening`, added by the
    exploitation workspace; the child its `subject`): `tool` (`exploitation` for the
    exploitation screening tool; other tools' names kept as sent), `screened_at`, `screened_by`,
    `indicators` (what the screener weighed, in words), `outcome` (`no_concerns` or `concerns`),
    `concern_types` (`cse`, `cce`: the exploitation the concerns are about) and `rationale`."""

    tool: Annotated[str, Field(max_length=40)] | None = None
    screened_at: DateTime | None = None
    screened_by: Actor | None = None
    indicators: list[Text] | None = None
    outcome: Literal["no_concerns", "concerns"] | None = None
    concern_types: list[Literal["cse", "cce"]] | None = None
    rationale: Text | None = None


DETAILS_BY_TYPE: dict[str, type[OpenModel]] = {
    "incident": IncidentDetails,
    "missing_report": MissingReportDetails,
    "crime": CrimeDetails,
    "referral": ReferralDetails,
    "meeting": MeetingDetails,
    "police_protection": PoliceProtectionDetails,
    "custody": CustodyDetails,
    "intelligence": IntelligenceDetails,
    "notification": NotificationDetails,
    "offender_visit": OffenderVisitDetails,
    "device_examination": DeviceExaminationDetails,
    "disruption_plan": DisruptionPlanDetails,
    "screening": ScreeningDetails,
}
