"""The task owns the human decision about its finding: who acknowledged or resolved it, when,
and the rationale now live on the task only (`risk.0002` drops the finding's copies).

Before the columns go, any decision found on a finding but not on its task is copied onto the
task. Since v0.1.0 `work.services` wrote both, so this normally copies nothing; a finding
decided without a task (only risk's test-only `acknowledge_finding`/`resolve_finding` did that)
keeps its state but loses who and when. Going back copies the task's decision onto its finding.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

DECISION = ("acknowledged_at", "acknowledged_by_id", "resolved_at", "resolved_by_id", "rationale")


def copy_decisions_to_tasks(apps: Any, schema_editor: Any) -> None:
    Task = apps.get_model("work", "Task")
    for task in Task.objects.select_related("finding").iterator(chunk_size=2000):
        finding = task.finding
        changed = [
            name
            for name in DECISION
            if getattr(finding, name) not in (None, "") and getattr(task, name) in (None, "")
        ]
        for name in changed:
            setattr(task, name, getattr(finding, name))
        if changed:
            task.save(update_fields=[name.removesuffix("_id") for name in changed])


def copy_decisions_to_findings(apps: Any, schema_editor: Any) -> None:
    Finding = apps.get_model("risk", "Finding")
    Task = apps.get_model("work", "Task")
    decided = Task.objects.exclude(acknowledged_at__isnull=True, resolved_at__isnull=True)
    for task in decided.iterator(chunk_size=2000):
        Finding.objects.filter(pk=task.finding_id).update(**{name: getattr(task, name) for name in DECISION})


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
        ("work", "0001_initial"),
    ]
    run_before = [("risk", "0002_task_owns_the_decision")]

    operations = [migrations.RunPython(copy_decisions_to_tasks, copy_decisions_to_findings, elidable=True)]
