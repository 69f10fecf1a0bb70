"""`risk/tasks.py` became `risk/jobs.py`. django-tasks stores each queued job's import path
(`django_tasks_db.DBTaskResult.task_path`), so jobs queued before the upgrade and not yet
run would no longer import: their path is rewritten (and back when unapplied)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

OLD = "safetynet.risk.tasks.evaluate_changed_individuals"
NEW = "safetynet.risk.jobs.evaluate_changed_individuals"


def _rewrite(apps: Any, old: str, new: str) -> None:
    apps.get_model("django_tasks_database", "DBTaskResult").objects.filter(task_path=old).update(task_path=new)


def forwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, OLD, NEW)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0002_task_owns_the_decision"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
