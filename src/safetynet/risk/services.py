"""Evaluation and the life cycle of findings.

- `evaluate_individuals(ids, as_of=..., policy=...)` computes findings from records as of a
  time (nothing stored): "what did we know at 02:00" is answered from the records, never
  from the findings stored since.
- `refresh_findings(ids, clock=...)` evaluates as of now and brings the stored findings in
  line: new ones raised, current ones updated, ones whose condition cleared closed with the
  time; never raised twice (fingerprint = clause + subject + key record).
- `evaluate_all(...)` does that for every individual, set-oriented in chunks.

A person's decision about a finding (acknowledge, resolve with a rationale) is made on its
task: `work.services`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection, connections, transaction
from django.db.models import Field
from more_itertools import chunked

from safetynet.identity.models import Individual
from safetynet.identity.review import set_risk_stakes
from safetynet.lib.clock import Clock, system_clock
from safetynet.lib.lookups import keys
from safetynet.risk import probable
from safetynet.risk.models import AUDIT_KIND, SEVERITY_ORDER, Finding, reopen_reasons
from safetynet.risk.picture import Picture, Ref
from safetynet.risk.picture_load import load_pictures
from safetynet.risk.policy import Policy, current_policy
from safetynet.risk.practice import sort_work_and_practice
from safetynet.risk.probable import union_picture
from safetynet.risk.rules import FindingDraft, run_rules
from safetynet.risk.signals import findings_changed

log = logging.getLogger(__name__)

# Individuals per picture load: larger chunks share neighbours and need fewer queries
# (measured: 400 -> 2000 individuals, about 15% less CPU and half the queries).
CHUNK = 2000


def fingerprint(clause: str, individual_id: int, key: tuple[str, str] | None, aspect: str = "") -> str:
    """Returns the stable identity of a finding: clause, subject, the record it is about and, when a
    clause raises two findings about one record, which one (findings without an aspect keep the
    fingerprint they always had)."""
    text = f"{clause}|{individual_id}|{key[0] + ':' + key[1] if key else '-'}"
    if aspect:
        text += f"|{aspect}"
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass
class Assessment:
    """One individual's findings as of a time, with every source reference linked into them."""

    individual_id: int
    as_of: dt.datetime
    subject_refs: list[Ref]
    drafts: list[FindingDraft]
    neighbours: set[int] = field(default_factory=set)
    # review pair id -> the highest severity its union would newly raise (None: no change), for
    # the probable matches this individual holds (risk/probable.py)
    stakes: dict[int, str | None] = field(default_factory=dict)


def _assess(picture: Picture, policy: Policy, as_of: dt.datetime, *, neighbours: bool = False) -> Assessment:
    drafts = sort_work_and_practice(run_rules(picture, policy, as_of), picture, policy, as_of)
    # One finding per fingerprint: the first raised wins (rules never raise twice on purpose).
    unique: dict[str, FindingDraft] = {}
    for d in drafts:
        unique.setdefault(fingerprint(d.clause, picture.individual_id, d.key, d.aspect), d)
    return Assessment(
        picture.individual_id,
        as_of,
        picture.refs,
        _ordered(unique.values()),
        picture.neighbours() if neighbours else set(),
    )


def _ordered(drafts: Iterable[FindingDraft]) -> list[FindingDraft]:
    return sorted(drafts, key=lambda d: (SEVERITY_ORDER.get(d.severity, 9), d.clause, d.key or ("", ""), d.aspect))


def evaluate_individuals(
    individual_ids: Iterable[int], *, as_of: dt.datetime, policy: Policy | None = None, neighbours: bool = False
) -> list[Assessment]:
    """Returns each individual's findings computed from the records visible as of `as_of`.

    An individual holding a probable match (an open review pair with another individual) also
    gets the ID1 finding when the two together would raise more (`_probable`)."""
    policy = policy or current_policy()
    out: list[Assessment] = []
    for batch in chunked(sorted(set(individual_ids)), CHUNK):
        mine = set(batch)
        held = [m for m in probable.probable_matches(batch) if m.holder in mine] if _probable_on(policy) else []
        pictures = load_pictures([*batch, *(m.other for m in held)], as_of)
        assessed = {i: _assess(pictures[i], policy, as_of, neighbours=neighbours) for i in batch}
        if held:
            _probable(held, assessed, pictures, policy, as_of)
        out.extend(assessed[i] for i in batch)
    return out


def _probable_on(policy: Policy) -> bool:
    return probable.CLAUSE in policy.enabled_clauses


def _probable(
    held: list[probable.ProbableMatch],
    assessed: dict[int, Assessment],
    pictures: dict[int, Picture],
    policy: Policy,
    as_of: dt.datetime,
) -> None:
    """Judges each probable match's union against each side alone; adds the ID1 finding to the
    holder's assessment when the union changes the risk, and every pair's stake."""
    others: dict[int, Assessment] = {}
    for match in held:
        store = pictures[match.holder].store
        if match.person not in store.persons or match.other_person not in store.persons:
            continue  # a record of the pair not recorded yet as of this time
        mine = assessed[match.holder]
        if match.other not in assessed and match.other not in others:
            others[match.other] = _assess(pictures[match.other], policy, as_of)
        theirs = assessed.get(match.other) or others[match.other]
        union = union_picture(store, match.holder, match.other)
        provisional = probable.raised_by_union(_assess(union, policy, as_of).drafts, [*mine.drafts, *theirs.drafts])
        level = probable.stake(provisional)
        mine.stakes.update(dict.fromkeys(match.pair_ids, level))
        if provisional:
            mine.drafts = _ordered([*mine.drafts, probable.identity_draft(policy, match, provisional, union)])


# The policy the forked evaluation processes use: set before the fork, so it is never pickled.
_FORKED_POLICY: Policy | None = None


def _close_connections_at_exit() -> None:
    from multiprocessing.util import Finalize

    Finalize(None, connections.close_all, exitpriority=10)


def _assess_chunk(job: tuple[list[int], dt.datetime, bool]) -> list[Assessment]:
    batch, as_of, neighbours = job
    assert _FORKED_POLICY is not None
    return evaluate_individuals(batch, as_of=as_of, policy=_FORKED_POLICY, neighbours=neighbours)


def _can_fork() -> bool:
    """Whether evaluation may run in forked processes: not inside a transaction (they would not
    see its rows), not on an in-memory SQLite database, and only where fork exists."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]


def assessments_by_chunk(
    individual_ids: Iterable[int],
    *,
    as_of: dt.datetime,
    policy: Policy,
    neighbours: bool = False,
    workers: int = 1,
) -> Iterator[list[Assessment]]:
    """Yields the assessments chunk by chunk (CHUNK individuals, in id order).

    With `workers` > 1 the chunks are loaded and judged in that many forked processes, which
    only read; the caller stores in its own process while they work on the next chunks. The
    parent's connections are closed first so that no process shares a database connection.
    """
    chunks = list(chunked(sorted(set(individual_ids)), CHUNK))
    if workers <= 1 or len(chunks) < 2 or not _can_fork():
        for batch in chunks:
            yield evaluate_individuals(batch, as_of=as_of, policy=policy, neighbours=neighbours)
        return
    global _FORKED_POLICY
    _FORKED_POLICY = policy
    connections.close_all()
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_close_connections_at_exit)
    try:
        yield from pool.imap(_assess_chunk, [(batch, as_of, neighbours) for batch in chunks])
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()  # workers close their connections as they exit
    finally:
        pool.join()


def evaluate_individual(individual_id: int, *, as_of: dt.datetime, policy: Policy | None = None) -> Assessment:
    """Returns one individual's findings as of `as_of`, from the records (nothing stored)."""
    return evaluate_individuals([individual_id], as_of=as_of, policy=policy)[0]


@dataclass
class RefreshReport:
    individuals: int = 0
    opened: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    # resolved findings whose condition persists and whose resolution no longer holds: (id,
    # what changed); the work app re-opens their tasks (`work.services.reopen_resolved`)
    reopened: list[tuple[int, str]] = field(default_factory=list)
    neighbours: set[int] = field(default_factory=set)

    def merge(self, other: RefreshReport) -> None:
        self.individuals += other.individuals
        self.opened += other.opened
        self.updated += other.updated
        self.closed += other.closed
        self.reopened += other.reopened
        self.neighbours |= other.neighbours


# What an evaluation says about a finding (compared with what is stored to tell an update).
JUDGED_FIELDS = (
    "clause",
    "severity",
    "reason",
    "cites",
    "key",
    "owner_role",
    "due_by",
    "error",
    "policy_version",
    "kind",
    "detail",
)
STORED_FIELDS = (*JUDGED_FIELDS, "evaluated_at", "state", "closed_at")


def _update_rows(rows: list[Finding], fields: tuple[str, ...]) -> None:
    """Writes `fields` of `rows` with one prepared UPDATE run for every row (executemany).

    Django's `bulk_update` builds one CASE WHEN per field over the whole batch, which took
    two thirds of a full re-evaluation; a prepared statement per row costs a fraction.
    """
    if not rows:
        return
    meta = Finding._meta
    columns = [cast(Field, meta.get_field(name)) for name in fields]
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(meta.db_table)} SET "
        + ", ".join(f"{qn(str(c.column))} = %s" for c in columns)
        + f" WHERE {qn(str(meta.pk.column))} = %s"
    )
    params = [[c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _store(assessments: list[Assessment], policy: Policy, now: dt.datetime) -> RefreshReport:
    """Brings stored findings for the assessed individuals in line with the assessments."""
    report = RefreshReport(individuals=len(assessments))
    ids = [a.individual_id for a in assessments]
    # Stored findings as plain rows, not model instances: most are unchanged, and making an
    # instance of each (with every timestamp parsed) was a third of storing a re-evaluation.
    existing: dict[str, tuple[int, str, dt.datetime | None, dict[str, Any]]] = {
        fp: (pk, state, closed_at, dict(zip(JUDGED_FIELDS, judged, strict=True)))
        # An audit action's finding (kind "audit", oversight/audits.py) is raised by an auditor,
        # not a rule: re-evaluation leaves it alone; its task resolves it.
        for pk, fp, state, closed_at, *judged in Finding.objects.filter(individual_id__int_in=keys(ids))
        .exclude(kind=AUDIT_KIND)
        .values_list("pk", "fingerprint", "state", "closed_at", *JUDGED_FIELDS)
    }
    resolved = {
        pk: (cites, severity, at)
        for pk, cites, severity, at in Finding.objects.filter(
            individual_id__int_in=keys(ids), state=Finding.State.RESOLVED
        ).values_list("pk", "decided_cites", "decided_severity", "decided_at")
    }
    live = set(Individual.objects.filter(pk__int_in=keys(ids)).values_list("pk", flat=True))
    seen: set[str] = set()
    new: list[Finding] = []
    changed: list[Finding] = []
    unchanged: list[int] = []  # only `evaluated_at` moves: one UPDATE ... WHERE id IN (...)
    for a in assessments:
        if a.individual_id not in live:
            continue
        for d in a.drafts:
            fp = fingerprint(d.clause, a.individual_id, d.key, d.aspect)
            seen.add(fp)
            values: dict[str, Any] = {
                "clause": d.clause,
                "severity": d.severity,
                "reason": d.reason,
                "cites": d.cite_refs,
                "key": d.key_ref,
                "owner_role": d.owner_role,
                "due_by": d.due_by,
                "error": d.error,
                "policy_version": policy.version,
                "kind": d.kind,
                "detail": d.detail or {},
            }
            stored = existing.get(fp)
            if stored is None:
                new.append(
                    Finding(fingerprint=fp, individual_id=a.individual_id, raised_at=now, evaluated_at=now, **values)
                )
                continue
            pk, state, closed_at, judged = stored
            if state == Finding.State.RESOLVED and pk in resolved:
                _check_resolution(report, pk, resolved[pk], d, policy, now)
            if state == Finding.State.CLOSED:
                # The condition came back: the same finding reopens rather than a second one.
                state, closed_at = Finding.State.OPEN, None
                report.opened.append(pk)
            elif judged != values:
                report.updated.append(pk)
            else:
                unchanged.append(pk)
                continue
            changed.append(Finding(pk=pk, state=state, closed_at=closed_at, evaluated_at=now, **values))
    for fp, (pk, state, _closed_at, judged) in existing.items():
        if fp not in seen and state in (Finding.State.OPEN, Finding.State.ACKNOWLEDGED):
            changed.append(Finding(pk=pk, state=Finding.State.CLOSED, closed_at=now, evaluated_at=now, **judged))
            report.closed.append(pk)
    stakes = {pair: level for a in assessments if a.individual_id in live for pair, level in a.stakes.items()}
    with transaction.atomic():
        created = Finding.objects.bulk_create(new, batch_size=500)
        _update_rows(changed, STORED_FIELDS)
        if unchanged:
            Finding.objects.filter(pk__int_in=keys(unchanged)).update(evaluated_at=now)
        set_risk_stakes(stakes)
    if created and created[0].pk is None:  # backends that do not return keys (not SQLite/PostgreSQL)
        created = list(Finding.objects.filter(fingerprint__in=[f.fingerprint for f in new]))
    report.opened += [f.pk for f in created]
    return report


def _check_resolution(
    report: RefreshReport,
    pk: int,
    decided: tuple[list[dict[str, str]], str, dt.datetime | None],
    d: FindingDraft,
    policy: Policy,
    now: dt.datetime,
) -> None:
    """Adds a resolved finding whose condition persists to `report.reopened` when its resolution
    no longer holds: new evidence (a record it did not cite, a higher severity) or expiry."""
    cites, severity, at = decided
    expires = (
        policy.clause(d.clause).resolution_expires(at)
        if at is not None and d.clause in policy.document.clauses
        else None
    )
    why = reopen_reasons(
        decided_cites=cites,
        decided_severity=severity,
        expires_at=expires,
        cites=d.cite_refs,
        severity=d.severity,
        now=now,
    )
    if why:
        report.reopened.append((pk, "; ".join(why)))


def refresh_findings(
    individual_ids: Iterable[int],
    *,
    clock: Clock = system_clock,
    policy: Policy | None = None,
    with_neighbours: bool = False,
    find_neighbours: bool = False,
    workers: int = 1,
    each_chunk: Callable[[list[Assessment]], None] | None = None,
) -> RefreshReport:
    """Evaluates individuals as of now and stores the result; with `with_neighbours`, also their
    network neighbours (an adult's new link changes the children around them); with
    `find_neighbours`, only names them in the report's `neighbours` (read from the pictures
    already loaded) for the caller to evaluate later (the live path); with `workers` > 1
    the evaluation runs in that many processes (see `assessments_by_chunk`). `each_chunk` is
    given each chunk's assessments, in id order, once they are stored (what `safetynet evaluate
    --json` prints). Returns what changed."""
    policy = policy or current_policy()
    now = clock.now()
    wanted = set(individual_ids)
    if _probable_on(policy):
        # The holder of a probable match judges its union (ID1): evaluated with either side.
        wanted |= {m.holder for m in probable.probable_matches(wanted)}
    ids = sorted(wanted)
    report = RefreshReport()
    neighbours = with_neighbours or find_neighbours
    for assessments in assessments_by_chunk(ids, as_of=now, policy=policy, neighbours=neighbours, workers=workers):
        part = _store(assessments, policy, now)
        for a in assessments:
            part.neighbours |= a.neighbours
        report.merge(part)
        if each_chunk is not None:
            each_chunk(assessments)
    report.neighbours -= set(ids)
    if with_neighbours:
        extra = sorted(report.neighbours)
        if extra:
            report.merge(refresh_findings(extra, clock=clock, policy=policy, each_chunk=each_chunk))
    if report.opened or report.updated or report.closed or report.reopened:
        findings_changed.send(
            sender=Finding,
            opened=report.opened,
            updated=report.updated,
            closed=report.closed,
            reopened=report.reopened,
            clock=clock,
        )
    log.info(
        "risk: evaluated %d individuals: %d opened, %d updated, %d closed",
        report.individuals,
        len(report.opened),
        len(report.updated),
        len(report.closed),
    )
    return report


def current_individual_ids() -> list[int]:
    """Returns every individual not retired by linkage, in id order."""
    return list(Individual.objects.filter(retired_at__isnull=True).order_by("pk").values_list("pk", flat=True))


def evaluate_all(
    *,
    clock: Clock = system_clock,
    policy: Policy | None = None,
    workers: int = 1,
    each_chunk: Callable[[list[Assessment]], None] | None = None,
) -> RefreshReport:
    """Re-evaluates every current individual as of now (full re-evaluation on demand), in
    `workers` processes, and closes the current findings of individuals linkage retired (their
    records moved to another individual, whose evaluation raises what still holds).
    `each_chunk` as for `refresh_findings`."""
    ids = current_individual_ids()
    stale = Finding.objects.filter(individual__retired_at__isnull=False, state__in=["open", "acknowledged"])
    ids += list(stale.values_list("individual_id", flat=True).distinct())
    return refresh_findings(ids, clock=clock, policy=policy, workers=workers, each_chunk=each_chunk)


def finding_as_json(
    *,
    clause: str,
    severity: str,
    reason: str,
    individual_id: int,
    subject_refs: list[Ref],
    cites: list[Ref],
    owner_role: str,
    due_by: dt.datetime | None,
    state: str,
    kind: str = "work",
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Returns the one-line JSON shape of a finding (`safetynet evaluate --json`): `kind` says
    whether it is work or practice, `detail` a practice finding's count, dates and breaches."""
    return {
        "clause": clause,
        "severity": severity,
        "reason": reason,
        "subject": {"individual": individual_id, "records": subject_refs},
        "cites": cites,
        "owner_role": owner_role,
        "due_by": due_by.isoformat() if due_by else None,
        "state": state,
        "kind": kind,
        "detail": detail or {},
    }
