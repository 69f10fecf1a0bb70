"""The import's entries in the access log (DPA 2018 s62), each in the transaction of what it logs.

Every chunk's transaction ends with one `import` (collection) entry for the chunk, and one
`erasure` entry when it withdrew records; the transaction that marks a batch completed adds
one `import` entry with the batch's counts. A crash therefore never leaves written records
without their entry, nor an entry for records that were rolled back.
"""

from __future__ import annotations

from typing import Any

from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.interchange.models import ImportBatch
from safetynet.lib.clock import Clock
from safetynet.records import models as rm


def log_chunk(*, batch: ImportBatch, chunk: int, lines: int, records: int, rejected: int, clock: Clock) -> None:
    """One `import` entry for a chunk: its number in the batch, lines read, records written and
    lines rejected (never a record's content). Call it last in the chunk's transaction: the
    access log's head stays locked from here until the commit."""
    record_audit(
        acting_user=_user(batch),
        action=Action.IMPORT,
        object_type="import_chunk",
        object_ids=[f"{batch.pk}:{chunk}"],
        fields=[f"lines={lines}", f"records={records}", f"rejected={rejected}"],
        reason=f"chunk {chunk} of import batch {batch.pk}",
        username=_username(batch),
        ip="",
        clock=clock,
    )


def log_batch(*, batch: ImportBatch, records: int, clock: Clock) -> None:
    """One `import` entry for a completed batch with its counts, in the transaction that sets
    its final status."""
    record_audit(
        acting_user=_user(batch),
        action=Action.IMPORT,
        object_type="import_batch",
        object_ids=[batch.pk],
        fields=[f"records={records}", f"rejected={batch.rejected}"],
        reason=f"import batch {batch.pk}",
        username=_username(batch),
        ip="",
        clock=clock,
    )


# The Person columns of each kind naming the children a record is about (for the access log).
_PERSON_COLUMNS = {
    "person": ("id",),
    "relationship": ("person_a_id", "person_b_id"),
    "marker": ("person_id", "linked_person_id"),
    "order": ("subject_id",),
    "plan": ("person_id",),
}


def log_withdrawals(changes: dict[str, list[int]], *, batch: ImportBatch, clock: Clock) -> None:
    """DPA 2018 s62: erasure. One access-log entry per chunk that withdrew records, written in
    the chunk's transaction, naming each withdrawn record and the children it concerns."""
    object_ids: list[str] = []
    person_ids: set[int] = set()
    for kind, pks in changes.items():
        model = rm.MODELS_BY_KIND[kind]
        withdrawn = model.objects.filter(pk__in=pks, deleted=True)
        for pk, source, source_id in withdrawn.values_list("pk", "source", "source_id"):
            object_ids.append(f"{kind}:{source}:{source_id}")
            if kind == "event":
                person_ids.update(rm.Participation.objects.filter(event_id=pk).values_list("person_id", flat=True))
        for column in _PERSON_COLUMNS.get(kind, ()):
            person_ids.update(p for p in withdrawn.values_list(column, flat=True) if p is not None)
        if kind == "order":
            protected = rm.Order.protected.through.objects.filter(order__in=withdrawn)
            person_ids.update(protected.values_list("person_id", flat=True))
    if not object_ids:
        return  # every withdrawal line was already applied (unchanged)
    record_audit(
        acting_user=_user(batch),
        action=Action.ERASURE,
        object_type="source_records",
        object_ids=object_ids,
        person_ids=person_ids,
        fields=["withdrawn"],
        reason=f"withdrawn by its source system (import batch {batch.pk})",
        username=_username(batch),
        ip="",
        clock=clock,
    )


def _user(batch: ImportBatch) -> Any:
    """The signed-in user who wrote records in the product (door web), or None (a system did)."""
    return batch.user if batch.user_id is not None else None


def _username(batch: ImportBatch) -> str:
    """`import:<os user>` for the CLI import, `<door>:<user or API key>` for the other doors."""
    door = "import" if batch.door == ImportBatch.Door.CLI else batch.door
    return f"{door}:{batch.started_by}"[:150]
