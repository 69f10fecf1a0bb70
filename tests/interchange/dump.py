"""A canonical dump of the records tables: natural keys instead of primary keys, sorted.

Run as a script (`python -m tests.interchange.dump OUT`) against the configured database,
so a test can compare two databases written by separate processes.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def canonical_dump() -> dict[str, Any]:
    """Every records row, child row and kept version, keyed by (source, id), without pks or timestamps."""
    from safetynet.records import models as rm

    key = {
        k: {o.pk: f"{o.source}:{o.source_id}" for o in m.objects.only("source", "source_id")}
        for k, m in rm.MODELS_BY_KIND.items()
    }
    by_model = {m: key[k] for k, m in rm.MODELS_BY_KIND.items()}
    dump: dict[str, Any] = {}
    for kind, model in rm.MODELS_BY_KIND.items():
        rows = []
        for obj in model.objects.order_by("source", "source_id"):
            row: dict[str, Any] = {}
            for field in model._meta.concrete_fields:
                if field.name in ("id", "stored_at", "changed_at"):
                    continue
                value = getattr(obj, field.attname)
                if field.is_relation:
                    value = by_model[field.related_model].get(value)
                row[field.name] = (
                    value if isinstance(value, str | int | float | bool | dict | list) or value is None else str(value)
                )
            rows.append(row)
        dump[kind] = rows
    dump["addresses"] = sorted(
        (key["person"][a.person_id], key["location"][a.location_id], a.kind, str(a.valid_from), str(a.valid_to))
        for a in rm.PersonAddress.objects.all()
    )
    dump["participations"] = sorted(
        (key["event"][p.event_id], key["person"][p.person_id], p.role) for p in rm.Participation.objects.all()
    )
    dump["linked_events"] = sorted(
        (key["event"][a], key["event"][b])
        for a, b in rm.Event.linked_events.through.objects.values_list("from_event_id", "to_event_id")
    )
    dump["protected"] = sorted(
        (key["order"][a], key["person"][b])
        for a, b in rm.Order.protected.through.objects.values_list("order_id", "person_id")
    )
    dump["associates"] = sorted(
        (key["plan"][a], key["person"][b])
        for a, b in rm.Plan.associates.through.objects.values_list("plan_id", "person_id")
    )
    dump["places"] = sorted(
        (key["plan"][a], key["location"][b])
        for a, b in rm.Plan.places.through.objects.values_list("plan_id", "location_id")
    )
    dump["versions"] = sorted(
        (v.kind, key[v.kind][v.record_id], str(v.recorded_at), str(v.superseded_at), v.deleted)
        + (json.dumps(v.payload, sort_keys=True),)
        for v in rm.RecordVersion.objects.all()
    )
    return dump


if __name__ == "__main__":
    import django

    django.setup()
    with open(sys.argv[1], "w", encoding="utf-8") as handle:
        json.dump(canonical_dump(), handle, sort_keys=True, indent=0)
