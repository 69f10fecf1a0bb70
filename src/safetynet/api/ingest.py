"""REST ingest for source systems: `POST /api/v1/records`, `GET /api/v1/records/{source}/{id}`.

Authenticated by a source system's API key (`Authorization: Bearer <key>`, ninja's
`HttpBearer`), never by a session, so no CSRF token either. The matrix lists these operations
as `api_key`: the middleware lets them through to the key check here.

A POST body is JSON Lines (`application/x-ndjson`) or a JSON array (`application/json`) of
interchange records, at most `MAX_RECORDS` records and `max_bytes()` bytes: over either is 413
before anything is stored. Every line is answered (`interchange.capture`); the call answers 200
whenever it was read, with the lines' answers, even when some (or all) were rejected.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from ninja.errors import HttpError
from ninja.security import HttpBearer

from safetynet.access.apikeys import RESTRICTED_MARKER_TYPES, KeyScope, key_for, over_rate_limit
from safetynet.access.models import ApiKey
from safetynet.api.schemas import IngestOut, StoredRecordOut, answers
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.interchange.capture import Record, capture
from safetynet.interchange.importer import OUTCOMES
from safetynet.interchange.mapping import KIND_ORDER
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import system_clock
from safetynet.records import models as rm

MAX_RECORDS = 5000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
NDJSON_TYPES = frozenset(
    {"application/x-ndjson", "application/jsonl", "application/json-lines", "application/jsonlines"}
)


class ApiKeyAuth(HttpBearer):
    """The source system's key: the active `ApiKey` it is, or None (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return key_for(token)


router = Router(auth=ApiKeyAuth(), tags=["ingest"])


def max_bytes() -> int:
    return int(getattr(settings, "SAFETYNET_INGEST_MAX_BYTES", DEFAULT_MAX_BYTES))


def _too_large(what: str) -> JsonResponse:
    return JsonResponse({"detail": f"Request too large: {what}. Split it into several calls."}, status=413)


def _throttled(key: ApiKey) -> HttpResponse | None:
    wait = over_rate_limit(key, system_clock.now())
    if wait is None:
        return None
    response = JsonResponse({"detail": f"Too many calls for this key; retry after {wait} seconds."}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _records(request: HttpRequest) -> list[Record] | JsonResponse:
    """The body's records (raw lines, or an array's items), or the response refusing it."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes():
        return _too_large(f"more than {max_bytes():,} bytes")
    body = request.read(max_bytes() + 1)
    if len(body) > max_bytes():
        return _too_large(f"more than {max_bytes():,} bytes")
    content_type = request.content_type or ""
    records: list[Record]
    if content_type in NDJSON_TYPES:
        records = list(body.split(b"\n"))
        count = sum(1 for line in records if isinstance(line, bytes) and line.strip())
    elif content_type == "application/json":
        try:
            items = json.loads(body)
        except (ValueError, RecursionError):
            return JsonResponse({"detail": "The body is not valid JSON: send a JSON array of records."}, status=400)
        if not isinstance(items, list):
            return JsonResponse({"detail": "Send a JSON array of records, or JSON Lines."}, status=400)
        # An item that is not an object goes on as its JSON text, which validation rejects.
        records = [item if isinstance(item, dict) else json.dumps(item) for item in items]
        count = len(records)
    else:
        return JsonResponse(
            {"detail": "Send application/x-ndjson (one record a line) or application/json (an array)."}, status=415
        )
    if count > MAX_RECORDS:
        return _too_large(f"{count:,} records, at most {MAX_RECORDS:,} a call")
    return records


_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {"schema": {"type": "string", "description": "one interchange record a line"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@router.post(
    "",
    url_name="records_ingest",
    response=answers(IngestOut, 400, 401, 413, 415, 429),
    exclude_none=True,
    openapi_extra=_BODY,
)
def ingest_records(request: HttpRequest) -> Any:
    """Store records from a source system; answers each line: accepted, updated, unchanged or rejected."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    refused = _throttled(key)
    if refused is not None:
        return refused
    records = _records(request)
    if isinstance(records, JsonResponse):
        return records
    result = capture(records, door=ImportBatch.Door.API, api_key=key, clock=system_clock, label=f"api {key.name}")
    counts = {outcome: result.count(outcome) for outcome in OUTCOMES}
    if warned := sum(1 for a in result.answers if a.warned):
        counts["warned"] = warned
    return {"batch": result.batch_id, "counts": counts, "lines": [a.as_dict() for a in result.answers]}


def _may_read(scope: KeyScope, record: rm.SourceRecord) -> bool:
    """A restricted marker type is read back only by a key allowed to write it."""
    marker_type = getattr(record, "marker_type", None) if isinstance(record, rm.Marker) else None
    return marker_type not in RESTRICTED_MARKER_TYPES or marker_type in scope.markers


@router.get("/{source}/{record_id}", url_name="records_read", response=answers(StoredRecordOut, 401, 404, 422, 429))
def read_record(request: HttpRequest, source: str, record_id: str, kind: str = "") -> Any:
    """One record as stored (its interchange object), within the key's sources and kinds; 404 otherwise.
    `kind` chooses when a source uses one id for records of two kinds."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    refused = _throttled(key)
    if refused is not None:
        return refused
    scope = KeyScope.of(key)
    kinds = [k for k in KIND_ORDER if (not kind or k == kind) and (scope.kinds is None or k in scope.kinds)]
    if source in scope.sources:
        for name in kinds:
            found = rm.MODELS_BY_KIND[name].objects.filter(source=source, source_id=record_id).first()
            if found is not None and found.recorded_at is not None and _may_read(scope, found):
                record_audit(
                    acting_user=None,
                    action=Action.VIEW,
                    object_type="source_record",
                    object_ids=[f"{name}:{source}:{record_id}"],
                    person_ids=[found.pk] if name == "person" else [],
                    fields=["payload"],
                    reason="read back by its source system",
                    username=f"api:apikey {key.name}"[:150],
                    ip="",
                )
                return {"kind": name, "payload": found.payload}
    raise HttpError(404, "Not Found")
