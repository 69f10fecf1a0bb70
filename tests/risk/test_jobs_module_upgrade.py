"""Jobs queued under the old module name (`risk.tasks`) still run after the upgrade: migration
risk.0003 rewrites the import path django-tasks stored with them."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from safetynet.risk.jobs import evaluate_changed_individuals

migration = importlib.import_module("safetynet.risk.migrations.0003_jobs_module")


def test_a_job_queued_under_risk_tasks_points_at_risk_jobs_after_the_upgrade(db: Any) -> None:
    queued = DBTaskResult.objects.create(
        task_path="safetynet.risk.tasks.evaluate_changed_individuals",
        args_kwargs={"args": [[1, 2]], "kwargs": {}},
        backend_name="default",
        run_after=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
    )
    migration.forwards(apps, None)
    queued.refresh_from_db()
    assert queued.task_path == "safetynet.risk.jobs.evaluate_changed_individuals"
    assert import_string(queued.task_path) is evaluate_changed_individuals
    migration.backwards(apps, None)
    queued.refresh_from_db()
    assert queued.task_path == "safetynet.risk.tasks.evaluate_changed_individuals"
