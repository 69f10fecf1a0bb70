"""The routers beside the core API (api.py): source systems' ingest and each workspace's own,
mounted under `/api/v1/<prefix>` in one place."""

from __future__ import annotations

from ninja import NinjaAPI

from safetynet.api.areas import router as areas_router
from safetynet.api.case_audits import router as case_audits_router
from safetynet.api.dashboards import router as dashboards_router
from safetynet.api.encompass import router as encompass_router
from safetynet.api.escalations import router as escalations_router
from safetynet.api.exploitation_screening import router as exploitation_router
from safetynet.api.exports import router as exports_router
from safetynet.api.ingest import router as ingest_router
from safetynet.api.intelligence import router as intelligence_router
from safetynet.api.mash import router as mash_router
from safetynet.api.meetings import router as meetings_router
from safetynet.api.missing import router as missing_router
from safetynet.api.missing_plans import router as missing_plans_router
from safetynet.api.network import router as network_router
from safetynet.api.notifications import router as notifications_router
from safetynet.api.offenders import router as offenders_router
from safetynet.api.protection import router as protection_router
from safetynet.api.timeliness import router as timeliness_router

ROUTERS = [
    ("/records", ingest_router),  # source systems' REST ingest: API-key (Bearer) authentication, not the session
    ("/escalations", escalations_router),  # the partnership escalation log
    ("/notifications", notifications_router),
    ("/meetings", meetings_router),
    ("/missing", missing_router),
    ("/missing", missing_plans_router),  # a child's trigger plans and a child not on record (beside the episodes)
    ("/mash", mash_router),
    ("/encompass", encompass_router),  # Operation Encompass: the police tell a school, the school acknowledges
    ("/protection", protection_router),
    ("/case-audits", case_audits_router),  # the case file audit (docs/oversight.md)
    ("/dashboards", dashboards_router),  # the oversight dashboards (docs/oversight.md)
    ("/timeliness", timeliness_router),  # breaches per clause and team, with the clocks run (docs/oversight.md)
    ("/exports", exports_router),  # chronology and picture CSV, the inspection lists (docs/oversight.md)
    ("/exploitation", exploitation_router),  # exploitation, online abuse and offenders (its requests beside)
    ("/exploitation", offenders_router),  # ARMS visits, the visit schedule, children near an offender
    ("/intelligence", intelligence_router),  # intelligence about people, graded 3x5x2
    ("/areas", areas_router),  # the force's areas (policy data) that lists and queues filter by
    ("/individuals", network_router),  # a person's readable network, beside the core API's reads of one person
]


def add_routers(api: NinjaAPI) -> None:
    for prefix, router in ROUTERS:
        api.add_router(prefix, router)
