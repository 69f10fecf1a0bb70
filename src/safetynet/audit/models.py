"""The access log: append-only entries, each hash-chained to the one before.

`seq` is the primary key and is assigned by `record_audit` under a lock on the chain head,
so entries form one gap-free sequence; a deleted row leaves a gap `audit verify` reports.
Database triggers refuse UPDATE and DELETE (migration 0002); the model refuses them too and
logs the attempt.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import models
from django.dispatch import Signal

security_log = logging.getLogger("safetynet.security")

# Sent (with `what` and `seqs`) before a change or deletion of entries is refused; the audit
# app's receivers write it to the security log and the access log (`record_tamper_attempt`).
tamper_attempted = Signal()


class AuditLogIsAppendOnly(Exception):
    """Raised when anything tries to change or delete an audit entry."""


class Action(models.TextChoices):
    # DPA 2018 s62(1): collection, alteration, consultation, disclosure, combination, erasure.
    VIEW = "view", "consultation: viewed a record"
    SEARCH = "search", "consultation: searched"
    EXPORT = "export", "disclosure: exported"
    IMPORT = "import", "collection: imported"
    CHANGE = "change", "alteration: changed a record or setting"
    ERASURE = "erasure", "erasure: withdrew or deleted"
    MERGE = "merge", "combination: linked or merged records"
    UNMERGE = "unmerge", "alteration: separated records merged before"
    DECISION = "decision", "alteration: recorded a decision"
    LOGIN = "login", "signed in"
    LOGOUT = "logout", "signed out"
    LOGIN_FAILED = "login_failed", "a sign-in failed"
    LOCKOUT = "lockout", "locked out after repeated failures"
    SECOND_FACTOR = "second_factor", "second factor set up or verified"
    DENIED = "denied", "was refused access"
    TAMPER_ATTEMPT = "tamper_attempt", "tried to change or delete the access log"


def _refuse(what: str, seqs: list[Any]) -> None:
    tamper_attempted.send(sender=AuditLogIsAppendOnly, what=what, seqs=seqs)
    raise AuditLogIsAppendOnly(f"the access log is append-only: {what} refused")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        _refuse("update", list(self.values_list("seq", flat=True)[:50]))
        return 0

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse("delete", list(self.values_list("seq", flat=True)[:50]))
        return 0, {}


class AuditEntry(models.Model):
    seq = models.BigIntegerField(primary_key=True, help_text="position in the chain, 1, 2, 3, ...")
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, help_text="the user's id (kept if the user goes)")
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_ids = models.JSONField(default=list, blank=True)
    individual_ids = models.JSONField(default=list, blank=True)
    person_ids = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=list, blank=True, help_text="which parts were seen or changed")
    ip = models.CharField(max_length=45, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=12, default="ok")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"audit {self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("update", [self.seq])
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse("delete", [self.seq])
        return 0, {}


class AuditSubject(models.Model):
    """An index row per child an entry concerns, so "who looked at this child" is one lookup.

    Derived from the entry's own (hashed) individual_ids/person_ids; `audit verify` checks
    the two agree. Also protected by triggers."""

    entry = models.ForeignKey(AuditEntry, on_delete=models.DO_NOTHING, related_name="subjects", db_constraint=False)
    individual_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)


class AuditChainHead(models.Model):
    """One row: the last entry's seq and hash. Writers lock it, so the chain never forks."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
