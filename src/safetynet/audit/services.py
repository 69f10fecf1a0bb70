"""Writing, verifying and reporting on the access log.

`record_audit` is called by views and services in the same transaction as the action it
records, so an action that rolls back leaves no entry and an entry never records an action
that did not happen. The chain: entry_hash = sha256(prev_hash + canonical JSON of the entry).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from safetynet.access.profiles import role_of
from safetynet.audit.context import client_ip_var
from safetynet.audit.models import Action, AuditChainHead, AuditEntry, AuditSubject
from safetynet.lib.clock import Clock, system_clock
from safetynet.lib.logging import request_id_var

security_log = logging.getLogger("safetynet.security")
GENESIS = "0" * 64


def canonical(entry: AuditEntry) -> str:
    """The entry's hashed content as canonical JSON (sorted keys, no spaces, UTC times)."""
    return json.dumps(
        {
            "seq": entry.seq,
            "at": entry.at.astimezone(dt.UTC).isoformat(),
            "actor_id": entry.actor_id,
            "actor_username": entry.actor_username,
            "actor_role": entry.actor_role,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_ids": entry.object_ids,
            "individual_ids": entry.individual_ids,
            "person_ids": entry.person_ids,
            "fields": entry.fields,
            "ip": entry.ip,
            "reason": entry.reason,
            "request_id": entry.request_id,
            "outcome": entry.outcome,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """sha256 over the previous hash and this entry's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical(entry)).encode("ascii")).hexdigest()


def _actor(user: Any) -> tuple[int | None, str, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "", ""
    return int(user.pk), str(user.get_username()), role_of(user) or ""


def _head_for_update() -> AuditChainHead:
    # select_for_update serialises writers on PostgreSQL; on SQLite the IMMEDIATE transaction
    # mode (settings.env.sqlite_options) already holds the database write lock.
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def record_audit(
    *,
    acting_user: Any,
    action: str,
    object_type: str = "",
    object_ids: Iterable[Any] = (),
    individual_ids: Iterable[int] = (),
    person_ids: Iterable[int] = (),
    fields: Iterable[str] = (),
    reason: str = "",
    outcome: str = "ok",
    username: str = "",
    ip: str | None = None,
    clock: Clock = system_clock,
) -> AuditEntry:
    """Append one entry to the access log and return it.

    Runs inside the caller's transaction (or its own): roll the action back and the entry
    goes with it. `username` names the account for failed sign-ins, where no user is known.
    """
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    actor_id, actor_username, actor_role = _actor(acting_user)
    individuals = sorted({int(i) for i in individual_ids})
    persons = sorted({int(p) for p in person_ids})
    with transaction.atomic():
        head = _head_for_update()
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=clock.now(),
            actor_id=actor_id,
            actor_username=actor_username or username[:150],
            actor_role=actor_role,
            action=action,
            object_type=object_type,
            object_ids=[str(o) for o in object_ids],
            individual_ids=individuals,
            person_ids=persons,
            fields=sorted(set(fields)),
            ip=(ip if ip is not None else client_ip_var.get()) or "",
            reason=reason,
            request_id=request_id_var.get() if request_id_var.get() != "-" else "",
            outcome=outcome,
            prev_hash=head.last_hash,
        )
        entry.entry_hash = entry_hash(head.last_hash, entry)
        entry.save(force_insert=True)
        subjects = [AuditSubject(entry=entry, individual_id=i) for i in individuals]
        subjects += [AuditSubject(entry=entry, person_id=p) for p in persons]
        if subjects:
            AuditSubject.objects.bulk_create(subjects)
        AuditChainHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.entry_hash)
    return entry


def record_cli_action(
    action: str,
    *,
    object_type: str,
    object_ids: Iterable[Any],
    fields: Iterable[str],
    individual_ids: Iterable[int] = (),
    person_ids: Iterable[int] = (),
) -> AuditEntry:
    """Record a command-line action (import, export): no signed-in user, so the entry names
    the operating-system account that ran it, and the children and records it concerned."""
    import getpass

    try:
        operator = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        operator = "unknown"
    return record_audit(
        acting_user=None,
        action=action,
        object_type=object_type,
        object_ids=object_ids,
        individual_ids=individual_ids,
        person_ids=person_ids,
        fields=fields,
        username=f"cli:{operator}",
        ip="",
    )


def record_tamper_attempt(what: str, seqs: list[Any]) -> None:
    """Log an attempt to change or delete audit entries (security log always; access log when
    the surrounding transaction can still commit)."""
    security_log.warning("audit log %s refused", what, extra={"audit_seqs": seqs})
    if connection.needs_rollback:
        return
    record_audit(
        acting_user=None,
        action=Action.TAMPER_ATTEMPT,
        object_type="audit_entry",
        object_ids=seqs,
        fields=[what],
        outcome="refused",
    )


# --- verification ---------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str = ""


def verify_chain(chunk_size: int = 5000) -> VerifyResult:
    """Walk the chain from the first entry and return the first row that does not fit.

    Detects: an edited row (its hash no longer matches its content), a deleted row (a gap
    in seq; the first missing seq is reported), reordering (prev_hash mismatch), deleted
    rows at the end (the head says more entries exist), and index rows that disagree.
    """
    expected_seq = 1
    prev = GENESIS
    checked = 0
    entries: Iterator[AuditEntry] = AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for entry in entries:
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"entry {expected_seq} is missing (deleted)")
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.seq, "does not follow the entry before it")
        if entry_hash(prev, entry) != entry.entry_hash:
            return VerifyResult(False, checked, entry.seq, "content no longer matches its hash (edited)")
        prev = entry.entry_hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != checked:
        first = checked + 1
        return VerifyResult(False, checked, first, f"the chain head records {head.last_seq} entries; {checked} remain")
    if head is not None and head.last_hash != prev:
        return VerifyResult(False, checked, checked or None, "the chain head does not match the last entry")
    mismatch = _first_subject_mismatch()
    if mismatch is not None:
        return VerifyResult(False, checked, mismatch, "its index rows do not match the entry")
    return VerifyResult(True, checked)


@dataclass(frozen=True)
class ChainHead:
    """The last entry's seq, hash and time: what an operator stores off-box to prove later that
    no entries were cut off the end (or the whole chain rewritten) since."""

    seq: int
    hash: str
    at: dt.datetime | None = None  # the entry's time (none for an empty log, or a two-part line)

    def line(self) -> str:
        """`SEQ HASH TIME` (TIME in UTC, ISO 8601), as `safetynet audit head` prints it."""
        if self.at is None:
            return f"{self.seq} {self.hash}"
        return f"{self.seq} {self.hash} {self.at.astimezone(dt.UTC).isoformat().replace('+00:00', 'Z')}"


HEAD_LINE = re.compile(r"^\s*(\d+)\s+([0-9a-f]{64})(?:\s+(\S+))?\s*$")
HEAD_EXPECTED = "expected 'SEQ HASH [TIME]' (an entry number, a 64-character hex sha256, and optionally its time)"


def current_head() -> ChainHead:
    """The chain head as the writers left it, with its entry's time (seq 0 and the genesis hash
    for an empty log)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or not head.last_seq:
        return ChainHead(0, GENESIS)
    at = AuditEntry.objects.filter(seq=head.last_seq).values_list("at", flat=True).first()
    return ChainHead(int(head.last_seq), str(head.last_hash), at)


def parse_heads(text: str) -> list[tuple[int, ChainHead]]:
    """Every stored head in a file of heads (one per line; blank lines and lines starting `#`
    skipped) with its line number. ValueError naming the first line that is not a head."""
    heads: list[tuple[int, ChainHead]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = HEAD_LINE.match(raw)
        at = None
        if match is not None and match.group(3):
            try:
                at = dt.datetime.fromisoformat(match.group(3).replace("Z", "+00:00"))
            except ValueError:
                match = None
        if match is None:
            raise ValueError(f"line {number}: {HEAD_EXPECTED}")
        heads.append((number, ChainHead(int(match.group(1)), match.group(2), at)))
    if not heads:
        raise ValueError(f"no head in it; {HEAD_EXPECTED}")
    return heads


def parse_head(text: str) -> ChainHead:
    """The last stored head in `text` (see `parse_heads`)."""
    return parse_heads(text)[-1][1]


def verify_against_head(stored: ChainHead) -> VerifyResult:
    """`verify_against_heads` for one stored head."""
    return verify_against_heads([(0, stored)])


def verify_against_heads(stored: list[tuple[int, ChainHead]]) -> VerifyResult:
    """Verify the chain, then prove every stored head is still in it: the entry each names exists
    and has the hash it had. Catches entries cut off the end even when the chain head row was
    wound back to match, and a chain rewritten wholesale (which a copy kept off-box cannot
    follow). Reports the earliest stored head that no longer holds; `stored` pairs each head
    with its line in the file (0: not from a file)."""
    result = verify_chain()
    if not result.ok:
        return result
    wanted = sorted({head.seq for _line, head in stored if head.seq})
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        found.update(AuditEntry.objects.filter(seq__in=batch).values_list("seq", "entry_hash"))
    last = result.checked
    for number, head in sorted(stored, key=lambda pair: (pair[1].seq, pair[0])):
        if not head.seq:
            continue
        where = f" (line {number} of the stored heads)" if number else ""
        if head.seq not in found:
            return VerifyResult(
                False,
                result.checked,
                last + 1,
                f"entries {last + 1} to {head.seq} are gone: the stored head{where} names entry {head.seq} "
                f"but the chain ends at {last} (truncated)",
            )
        if found[head.seq] != head.hash:
            return VerifyResult(
                False,
                result.checked,
                head.seq,
                f"its hash differs from the stored head{where} (the chain was rewritten up to here)",
            )
    return result


def _first_subject_mismatch() -> int | None:
    indexed: dict[int, tuple[set[int], set[int]]] = {}
    for seq, individual_id, person_id in AuditSubject.objects.values_list("entry_id", "individual_id", "person_id"):
        ind, per = indexed.setdefault(seq, (set(), set()))
        if individual_id is not None:
            ind.add(individual_id)
        if person_id is not None:
            per.add(person_id)
    with_subjects = AuditEntry.objects.filter(Q(pk__in=list(indexed)) | ~Q(individual_ids=[]) | ~Q(person_ids=[]))
    for seq, individuals, persons in with_subjects.order_by("seq").values_list("seq", "individual_ids", "person_ids"):
        ind, per = indexed.get(seq, (set(), set()))
        if ind != set(individuals) or per != set(persons):
            return int(seq)
    return None
