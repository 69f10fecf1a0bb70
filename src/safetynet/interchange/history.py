"""The version history of records, as interchange keeps it.

`read_payload` reads a stored version (`records.RecordVersion.payload`, an interchange object
exactly as received) by the importer's own validation and mapping; the app registers it with
`records.versions` when ready, so "as of" reads (risk) see an old version as the importer would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.interchange.mapping import Prepared, prepare
from safetynet.interchange.parsing import LineRejected, validate_object


def read_payload(payload: dict[str, Any]) -> Prepared | None:
    """The typed values of a stored version, by the importer's own mapping. It was validated on
    import; dates are not judged against today again (`date.max`), so it reads as it did then."""
    try:
        prepared = prepare(validate_object(payload, 0, today=dt.date.max))
    except LineRejected:  # pragma: no cover - a stored version passed this validation on import
        return None
    # Times in UTC, as the database gives back a stored row's (reasons print them).
    for name, value in prepared.fields.items():
        if isinstance(value, dt.datetime):
            prepared.fields[name] = value.astimezone(dt.UTC)
    return prepared
