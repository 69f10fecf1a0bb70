"""Recording intelligence over REST (`POST /api/v1/intelligence`): the people it is about, its
text, when it was received and its 3x5x2 grading, with the same service and checks as the
screen (exploitation.intelligence): a 5x5x5 grading is 422 (`grading: expected a 3x5x2
grading ...`), handling C needs its conditions; 403 for a role without `record_intelligence`;
404 for a person the caller may not see."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from safetynet.api.exploitation import CHANGE, ExploitationEventOut, _need, _run
from safetynet.exploitation import intelligence
from safetynet.lib.clock import system_clock
from safetynet.reads import access

router = Router(tags=["intelligence"])


class IntelligenceIn(Schema):
    about: list[int] = []
    text: str = ""
    occurred_at: dt.datetime | None = None
    source: int | str | None = None
    assessment: str = ""
    handling: str = ""
    handling_conditions: str = ""
    confirmed: bool = False


@router.post("", response=CHANGE, url_name="intelligence")
def record_intelligence(request: HttpRequest, body: IntelligenceIn) -> ExploitationEventOut:
    """Intelligence about `about` (individual ids), received at `occurred_at` (now or earlier),
    graded `source` 1-3, `assessment` A-E, `handling` P or C (with `handling_conditions`);
    `confirmed` false (the default) makes it emerging intelligence for MACE."""
    for individual in body.about:
        access.individual_for_user(request.user, individual)
    return _run(
        request,
        lambda: intelligence.record(
            body.about,
            text=body.text,
            occurred_at=_need("occurred_at", body.occurred_at),
            source=body.source,
            assessment=body.assessment,
            handling=body.handling,
            handling_conditions=body.handling_conditions,
            confirmed=body.confirmed,
            acting_user=request.user,
            clock=system_clock,
        ),
    )
