"""An import batch: who ran it, when, what files (and their digests), counts and outcome."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class ImportBatch(models.Model):
    """One run of the capture path: a CLI import, an API call, a drop-folder file or a web form."""

    class Door(models.TextChoices):
        CLI = "cli", "safetynet import"
        API = "api", "REST ingest (API key)"
        DROP = "drop", "drop folder"
        WEB = "web", "recorded in safetynet"

    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETED = "completed", "completed, nothing rejected"
        COMPLETED_WITH_REJECTS = "completed_with_rejects", "completed, some lines rejected"
        INTERRUPTED = "interrupted", "interrupted (run the import again to finish it)"
        FAILED = "failed"

    name = models.CharField(max_length=200, blank=True)
    door = models.CharField(max_length=8, choices=Door.choices, default=Door.CLI)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the signed-in user, for records written in safetynet",
    )
    api_key = models.ForeignKey(
        "access.ApiKey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
        help_text="the source system's key, for the REST ingest",
    )
    started_by = models.CharField(max_length=150, help_text="the operating-system or application user")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RUNNING)
    files = models.JSONField(default=list, help_text="[{path, sha256, bytes, lines, rejected, rejects_path}]")
    counts = models.JSONField(default=dict, help_text="kind -> {accepted, updated, unchanged, rejected}")
    lines_read = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)

    objects: models.Manager[ImportBatch] = models.Manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"import batch {self.pk} ({self.status})"

    @property
    def duration(self) -> dt.timedelta | None:
        """Wall time from start to finish, or None while running."""
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class ImportReject(models.Model):
    """Why a line was rejected. The line itself is only in the rejects file, never here."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejects")
    file = models.CharField(max_length=500)
    line = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, blank=True)
    field = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500)

    objects: models.Manager[ImportReject] = models.Manager()

    class Meta:
        ordering = ["batch", "file", "line"]

    def __str__(self) -> str:
        return f"reject line {self.line}"
