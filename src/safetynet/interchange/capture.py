"""The capture service: the one path every door writes records by (architecture: "Capture is a source").

`capture(records, door=..., clock=...)` takes interchange records (raw JSON lines as bytes or
text, or dicts) from any door (the REST ingest, the drop folder, a web form) and runs the
importer's own steps (`importer.Importer.store_lines`, the same `_store_chunk` the CLI import
uses): validation with line, field and reason; upsert by (source, id, recorded_at) with every
version kept; a version sent again with other content rejected as a conflict; provenance on the
`ImportBatch` (door, user or API key); access-log entries in each chunk's transaction; and, after
each commit, `records_changed`, which drives linkage, risk re-evaluation and task sync. The
REST and web doors send it `live`: someone is waiting, so the few children a call is about are
re-evaluated before the answer goes back (risk/receivers.py), and the finding is there to read.

It answers every line (`LineAnswer`: accepted | updated | unchanged | rejected, with field and
reason). Lines are stored in chunks of `importer.CHUNK_LINES`, each in one transaction: a crash
leaves whole chunks or none, and sending the same call again answers the stored lines
`unchanged` and stores the rest.

Scope: a line whose source (or kind, or restricted marker type) is outside the sender's scope
is rejected with status 403; the rest land. `safetynet` is the reserved source of records
written in the product (door `web`): only that door writes it, with ids the service makes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safetynet.access.apikeys import RESERVED_SOURCE, RESTRICTED_MARKER_TYPES, KeyScope
from safetynet.access.models import ApiKey
from safetynet.interchange.importer import (
    CHUNK_LINES,
    Admit,
    Importer,
    ImportResult,
    LineAnswer,
    finishing,
    import_files,
    start_batch,
)
from safetynet.interchange.mapping import Prepared
from safetynet.interchange.models import ImportBatch
from safetynet.interchange.parsing import MAX_LINE_BYTES, RawLine
from safetynet.lib.clock import Clock
from safetynet.records import models as rm

Door = ImportBatch.Door
Record = bytes | str | dict[str, Any]


@dataclass
class CaptureResult:
    batch_id: int
    answers: list[LineAnswer]  # one per line sent (blank lines aside), in line order

    def count(self, outcome: str) -> int:
        return sum(1 for a in self.answers if a.outcome == outcome)

    @property
    def rejected(self) -> int:
        return self.count("rejected")


def capture(
    records: Iterable[Record],
    *,
    door: str,
    clock: Clock,
    api_key: ApiKey | None = None,
    acting_user: Any = None,
    source_scope: Iterable[str] | None = None,
    kind_scope: Iterable[str] | None = None,
    marker_scope: Iterable[str] | None = None,
    reason: str = "",
    label: str = "",
    notify: bool = True,
    chunk_lines: int = CHUNK_LINES,
) -> CaptureResult:
    """Store `records` through the importer's path and answer each (see the module docstring).

    `door` is one of `ImportBatch.Door`. An `api_key` gives the scope (its sources, kinds and
    restricted markers) unless `source_scope`/`kind_scope`/`marker_scope` are given; None means
    no limit of that sort (the CLI import, a drop folder configured so); the reserved source is
    refused to every door but `web` and the CLI import (which loads exports back). Door `web` fills in
    `source = "safetynet"`, an id (`<kind>-<uuid4 hex>`) and `recorded_at` (now) where absent,
    and stamps `entered_by` (the user, and `reason`, which a correction of a stored record needs).
    """
    if api_key is not None:
        scope = KeyScope.of(api_key)
        source_scope = scope.sources if source_scope is None else source_scope
        kind_scope = scope.kinds if kind_scope is None else kind_scope
        marker_scope = scope.markers if marker_scope is None else marker_scope
    answers: list[LineAnswer] = []
    username = getattr(acting_user, "username", "") or (f"apikey {api_key.name}" if api_key else door)
    batch = start_batch(
        name=label or f"{door} capture",
        started_by=username,
        door=door,
        clock=clock,
        user=acting_user if getattr(acting_user, "pk", None) else None,
        api_key=api_key,
    )
    importer = Importer(
        batch=batch,
        clock=clock,
        notify=notify,
        chunk_lines=chunk_lines,
        answers=answers,
        admit=_admit(door, source_scope, kind_scope, marker_scope),
        live=door in (Door.API, Door.WEB),
    )
    lines = _lines(records, importer, door=door, username=username, reason=reason, now=clock.now())
    with finishing(importer):
        importer.store_lines(lines, label=label or f"{door} capture {batch.pk}")
    answers.sort(key=lambda a: a.line)
    return CaptureResult(batch.pk, answers)


def capture_file(
    path: Path,
    *,
    door: str,
    clock: Clock,
    started_by: str,
    source_scope: Iterable[str] | None = None,
    kind_scope: Iterable[str] | None = None,
    marker_scope: Iterable[str] | None = None,
    label: str = "",
    notify: bool = True,
) -> ImportResult:
    """A whole file through the same path, streamed as `safetynet import` streams it: rejected
    lines are written, unchanged, with line, field and reason to `PATH.rejects.jsonl` beside it
    (the drop folder's door). Scope as in `capture`; `started_by` names the system or user."""
    admit = _admit(door, source_scope, kind_scope, marker_scope)
    return import_files(
        [path], acting_user=started_by, batch_name=label, clock=clock, notify=notify, door=door, admit=admit
    )


def _lines(
    records: Iterable[Record], importer: Importer, *, door: str, username: str, reason: str, now: dt.datetime
) -> Iterable[RawLine]:
    """Each record as a numbered raw line; blank lines are skipped (and not answered), a line
    over the size cap or a web record that cannot be completed is answered rejected here."""
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict):
            if door == Door.WEB:
                problem = _complete_web_record(record, username=username, reason=reason, now=now)
                if problem is not None:
                    importer.note_reject(number, str(record.get("kind", ""))[:20], *problem)
                    continue
            data = json.dumps(record, ensure_ascii=False).encode("utf-8")
        else:
            data = record.encode("utf-8") if isinstance(record, str) else record
            if not data.strip():
                continue
        if len(data) > MAX_LINE_BYTES:
            reason_text = f"the line is longer than {MAX_LINE_BYTES:,} bytes, the most one record may take"
            importer.note_reject(number, "", "", reason_text)
            continue
        yield RawLine(number, data)


def _complete_web_record(
    record: dict[str, Any], *, username: str, reason: str, now: dt.datetime
) -> tuple[str, str] | None:
    """Fill in what the product decides for a record written in it; (field, reason) if it cannot."""
    source = record.setdefault("source", RESERVED_SOURCE)
    if source != RESERVED_SOURCE:
        return "source", f"records written in safetynet have source {RESERVED_SOURCE!r}"
    if not reason.strip() and _exists(record.get("kind"), record.get("id")):
        return "reason", "a correction of a record needs a reason: say why it changes"
    record.setdefault("id", f"{record.get('kind', 'record')}-{uuid.uuid4().hex}")
    record.setdefault("recorded_at", now.isoformat())
    record["entered_by"] = {"user": username, **({"reason": reason.strip()} if reason.strip() else {})}
    return None


def _exists(kind: object, source_id: object) -> bool:
    """Whether `safetynet` already holds this record (so a line for it is a correction)."""
    model = rm.MODELS_BY_KIND.get(kind) if isinstance(kind, str) else None
    if model is None or not isinstance(source_id, str):
        return False
    return model.objects.filter(source=RESERVED_SOURCE, source_id=source_id, recorded_at__isnull=False).exists()


def _admit(
    door: str, sources: Iterable[str] | None, kinds: Iterable[str] | None, markers: Iterable[str] | None
) -> Admit | None:
    """The scope check of a door (None: everything is admitted, the CLI import)."""
    if door == Door.CLI and sources is None and kinds is None and markers is None:
        return None
    allowed_sources = frozenset(sources) if sources is not None else None
    allowed_kinds = frozenset(kinds) if kinds is not None else None
    allowed_markers = frozenset(markers) if markers is not None else None

    def admit(item: Prepared) -> tuple[int, str, str] | None:
        source = item.key[0]
        if source == RESERVED_SOURCE and door != Door.WEB:
            return 403, "source", f"{RESERVED_SOURCE!r} is reserved for records written in safetynet"
        if door == Door.WEB and source != RESERVED_SOURCE:
            return 403, "source", f"records written in safetynet have source {RESERVED_SOURCE!r}"
        if allowed_sources is not None and source not in allowed_sources:
            return 403, "source", "outside this key's scope: it may not write records of this source"
        if allowed_kinds is not None and item.kind not in allowed_kinds:
            return 403, "kind", "outside this key's scope: it may not write records of this kind"
        marker_type = item.fields.get("marker_type") if item.kind == "marker" else None
        if (
            allowed_markers is not None
            and marker_type in RESTRICTED_MARKER_TYPES
            and marker_type not in allowed_markers
        ):
            return 403, "marker_type", "outside this key's scope: this restricted marker type needs permission by name"
        return None

    return admit
