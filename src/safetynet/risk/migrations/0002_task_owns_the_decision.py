"""The finding's copies of the human decision go: its task owns who and when and the
rationale (`work.0002` copied any the task lacked first); the finding keeps `state`."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="finding", name="acknowledged_at"),
        migrations.RemoveField(model_name="finding", name="acknowledged_by"),
        migrations.RemoveField(model_name="finding", name="resolved_at"),
        migrations.RemoveField(model_name="finding", name="resolved_by"),
        migrations.RemoveField(model_name="finding", name="rationale"),
    ]
