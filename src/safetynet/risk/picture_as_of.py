"""As of a past time: records whose stored row was recorded after T, read as the version their
source had sent by T (`records.versions`, read through the parser interchange registers), or
not at all when first sent after T or withdrawn by T; stubs are never seen. Records are found
through their current links (participations, foreign keys, addresses) and individuals through
current identity memberships; what a version found that way says (its participants, dates,
grades, people) is what the picture holds.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Q

from safetynet.records import models as rm
from safetynet.records.versions import Version, versions_as_of
from safetynet.risk.picture import EventRec, PersonRec, Store, make_ref


def earlier_versions(store: Store, model: type[rm.SourceRecord], condition: Q) -> dict[int, Version]:
    """The versions in force at as_of of the records matching `condition` whose stored row is
    newer (none when nothing changed after as_of)."""
    if not store.history:
        return {}
    later = model.objects.filter(condition, recorded_at__gt=store.as_of).values_list("pk", flat=True)
    return versions_as_of(model.kind, later, store.as_of)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def person_as_it_was(version: Version, individual: int | None, today: dt.date) -> PersonRec:
    """A person record as its source had it then (addresses from that version)."""
    addresses: list[tuple[int, dt.date | None, dt.date | None]] = []
    homes: list[int] = []
    for target, kind, valid_from, valid_to in version.prepared.addresses:
        location_id = version.resolved.get(target)
        if location_id is None:
            continue
        addresses.append((location_id, valid_from, valid_to))
        if kind != "previous" and (valid_to is None or valid_to >= today):
            homes.append(location_id)
    return PersonRec(
        version.pk,
        make_ref(version.source, version.source_id),
        individual,
        version.field("dob"),
        version.field("birth_year"),
        version.field("care_status") or "",
        bool(version.field("self_defined_ethnicity") or version.field("observed_ethnicity")),
        version.fk("school"),
        tuple(homes),
        tuple(addresses),
    )


def event_as_it_was(version: Version) -> EventRec:
    """An event as its source had it then (participants and links from that version)."""
    details = _json(version.field("details"))
    recorded_by = _json(version.field("recorded_by"))
    participants = tuple(
        (pk, role) for target, role in version.prepared.participants if (pk := version.resolved.get(target))
    )
    return EventRec(
        version.pk,
        make_ref(version.source, version.source_id),
        version.field("event_type"),
        version.field("occurred_at"),
        version.field("ended_at"),
        version.field("reported_at"),
        version.recorded_at,
        version.field("summary") or "",
        details if isinstance(details, dict) else {},
        recorded_by if isinstance(recorded_by, dict) else None,
        version.fk("location"),
        participants,
        version.pks(version.prepared.linked_events),
    )
