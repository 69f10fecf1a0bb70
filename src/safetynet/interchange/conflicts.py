"""Conflicts: a version of a record the source already sent, sent again with other content.

A record's version is identified by (kind, source, id, recorded_at). Sending the same version
again changes nothing (the retry of a call or a file is harmless); sending *different* content
under a version that is already stored (as the record, in its history, or earlier in the same
chunk) is a conflict: the line is rejected, never silently dropped as unchanged, because a
source that changes a record must say when (a new `recorded_at`). Content is compared as JSON
objects, `recorded_at` aside (its spelling may differ: `Z` or `+00:00`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from more_itertools import chunked

from safetynet.interchange.mapping import Prepared
from safetynet.lib.lookups import IN_BATCH
from safetynet.records import models as rm
from safetynet.records.keys import NaturalKey

CONFLICT_REASON = (
    "conflict: this version of the record (same source, id and recorded_at) is already stored "
    "with different content; send a correction with a later recorded_at"
)
CONFLICT_IN_CALL_REASON = (
    "conflict: an earlier line sent this version of the record (same source, id and recorded_at) "
    "with different content; send a correction with a later recorded_at"
)

# (source, id) -> (pk, recorded_at; None for a stub), per kind
Existing = dict[str, dict[NaturalKey, tuple[int, dt.datetime | None]]]
Reject = Callable[[Prepared, str, str], None]


def reject_conflicts(items: list[Prepared], existing: Existing, reject: Reject) -> list[Prepared]:
    """The lines of `items` that do not conflict, in order; `reject` is called for each that does."""
    kept: list[Prepared] = []
    first_of: dict[tuple[str, NaturalKey, dt.datetime], Prepared] = {}
    for item in items:
        slot = (item.kind, item.key, item.recorded_at)
        first = first_of.setdefault(slot, item)
        if first is not item and not _same(_content(first.text), _content(item.text)):
            reject(item, "recorded_at", CONFLICT_IN_CALL_REASON)
            continue
        kept.append(item)
    stored = _stored_payloads(kept, existing)
    if not stored:
        return kept
    out: list[Prepared] = []
    for item in kept:
        payload = stored.get((item.kind, item.key, item.recorded_at))
        if payload is not None and not _same(payload, _content(item.text)):
            reject(item, "recorded_at", CONFLICT_REASON)
            continue
        out.append(item)
    return out


def _stored_payloads(items: list[Prepared], existing: Existing) -> dict[tuple[str, NaturalKey, dt.datetime], Any]:
    """The stored payloads of the versions `items` send again: the record's row when its
    `recorded_at` is the same, a history version when the line is older than the row."""
    rows: dict[str, dict[int, list[Prepared]]] = defaultdict(lambda: defaultdict(list))
    history: dict[str, dict[int, list[Prepared]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        found = existing.get(item.kind, {}).get(item.key)
        if found is None or found[1] is None:
            continue  # new, or a stub: nothing stored to conflict with
        pk, stored_at = found[0], found[1]
        if item.recorded_at == stored_at:
            rows[item.kind][pk].append(item)
        elif item.recorded_at < stored_at:
            history[item.kind][pk].append(item)
    out: dict[tuple[str, NaturalKey, dt.datetime], Any] = {}
    for kind, by_pk in rows.items():
        model = rm.MODELS_BY_KIND[kind]
        for part in chunked(sorted(by_pk), IN_BATCH):
            for pk, payload in model.objects.filter(pk__in=part).values_list("pk", "payload"):
                for item in by_pk[pk]:
                    out[(kind, item.key, item.recorded_at)] = payload
    for kind, by_pk in history.items():
        for part in chunked(sorted(by_pk), IN_BATCH):
            versions = rm.RecordVersion.objects.filter(kind=kind, record_id__in=part)
            for record_id, recorded_at, payload in versions.values_list("record_id", "recorded_at", "payload"):
                for item in by_pk[record_id]:
                    if item.recorded_at == recorded_at:
                        out[(kind, item.key, item.recorded_at)] = payload
    return out


def _content(text: str) -> dict[str, Any]:
    obj: dict[str, Any] = json.loads(text)
    return obj


def _same(stored: Any, sent: dict[str, Any]) -> bool:
    if isinstance(stored, str):  # a JSON column some backends give back as text
        stored = json.loads(stored)
    return {k: v for k, v in stored.items() if k != "recorded_at"} == {
        k: v for k, v in sent.items() if k != "recorded_at"
    }
