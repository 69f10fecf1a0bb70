"""`Task.late_since`: the first deadline a task missed, so an escalated task stays overdue
(docs/work.md "Late stays late"). Tasks already escalated lost that deadline when the sweep
reset `due_at`; they are given the time of their first escalation (the sweep runs every minute,
so within a minute of the deadline they missed), and tasks exhausted without escalating keep
their own deadline."""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Q, Subquery


def backfill(apps, schema_editor):
    Task = apps.get_model("work", "Task")
    TaskEvent = apps.get_model("work", "TaskEvent")
    current = Task.objects.filter(state__in=("open", "acknowledged"), late_since__isnull=True)
    first = (
        TaskEvent.objects.filter(task_id=OuterRef("pk"), action__in=("escalated", "exhausted"))
        .values("task_id")
        .annotate(first=Min("at"))
        .values("first")
    )
    current.filter(escalation_level__gt=0).update(late_since=Subquery(first))
    # No history row (a task escalated by hand in the admin): when it last escalated.
    current.filter(escalation_level__gt=0, late_since__isnull=True).update(late_since=models.F("escalated_at"))
    current.filter(Q(escalation_level=0), escalation_exhausted=True).update(late_since=models.F("due_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0006_worker_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="late_since",
            field=models.DateTimeField(
                blank=True,
                help_text="the first deadline the task missed (set when it escalates): overdue since then",
                null=True,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
