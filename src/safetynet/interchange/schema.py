"""The published JSON Schema of interchange format v1 (docs/interchange.md, shared spec interchange.md).

`json_schema()` builds it from the Pydantic models: field types in `fields.py`, one model per
kind in `kinds.py` and one per event type's `details` in `details.py`. They validate a parsed
JSON line; the importer stores the original object (so unknown fields survive and export is
exact), never a re-serialisation of these models. Decisions:

- Unknown extra fields are allowed everywhere (`extra="allow"`) and kept.
- Scalars are strict about JSON types: a number where text is expected (or text where a
  number or true/false is expected) is a reject, not silently converted.
- Dates are `YYYY-MM-DD`; a date of birth may be `YYYY-MM` or `YYYY` and is never in the
  future (judged against `context["today"]`, default today in UTC). Impossible dates such
  as 31 February are rejected. Datetimes are RFC 3339 with an offset (`Z` or `+01:00`).
- Enumerations are exactly the spec's; the legacy missing-person risk values
  `no_apparent_risk` and `absent` are accepted (read as `very_low` by the importer).
- References are `{"source": ..., "id": ...}` or a bare id in the record's own source.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from safetynet.interchange.details import DETAILS_BY_TYPE
from safetynet.interchange.kinds import (
    EventRecord,
    LocationRecord,
    MarkerRecord,
    OrderRecord,
    OrganisationRecord,
    PersonRecord,
    PlanRecord,
    RelationshipRecord,
)

SCHEMA_VERSION = 1


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of a line: one of the kinds, with per-event-type details.

    Returns a draft 2020-12 schema dict (written to docs/interchange.schema.json).
    """
    kinds = Annotated[
        PersonRecord
        | OrganisationRecord
        | LocationRecord
        | RelationshipRecord
        | EventRecord
        | MarkerRecord
        | OrderRecord
        | PlanRecord,
        Field(discriminator="kind"),
    ]
    schema = TypeAdapter(kinds).json_schema(by_alias=True, ref_template="#/$defs/{model}")
    defs = schema.setdefault("$defs", {})
    # `details` is an object in the line model (validated per type by the importer); the
    # published schema states the per-type rule with if/then so other tools can check it too.
    for model in DETAILS_BY_TYPE.values():
        sub = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update(sub.pop("$defs", {}))
        defs[model.__name__] = sub
    defs["EventRecord"]["allOf"] = [
        {
            "if": {"properties": {"event_type": {"const": event_type}}},
            "then": {"properties": {"details": {"anyOf": [{"$ref": f"#/$defs/{model.__name__}"}, {"type": "null"}]}}},
        }
        for event_type, model in DETAILS_BY_TYPE.items()
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://safetynet.invalid/interchange/v1.schema.json",
        "title": f"safetynet interchange format v{SCHEMA_VERSION}: one JSON Lines record",
        "description": "One object per line. See docs/interchange.md.",
        **schema,
    }
