"""The work app: tasks and alerts from findings."""

from __future__ import annotations

from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "safetynet.work"
    label = "work"
    verbose_name = "Work (tasks, deadlines, escalation)"

    def ready(self) -> None:
        from safetynet.work import receivers  # noqa: F401  (findings -> tasks)
