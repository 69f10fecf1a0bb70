"""The blocking index on (key, person): a search or a new record finds its candidates from
the index alone (an index-only scan), without visiting the table's rows."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_linkage")]

    operations = [
        migrations.RemoveIndex(model_name="blockingkey", name="identity_blockingkey_key"),
        migrations.AddIndex(
            model_name="blockingkey",
            index=models.Index(fields=["key", "person"], name="identity_blockingkey_key_pers"),
        ),
    ]
