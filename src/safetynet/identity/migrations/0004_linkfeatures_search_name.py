"""Each record's name features as compact JSON text beside its features, with a covering
index on PostgreSQL, so person search reads thousands of candidates' names from a narrow
index instead of their wide feature rows (see docs/identity.md, person search)."""

from __future__ import annotations

import json
from typing import Any

from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    # The same text as features.search_name, written here so the migration does not change
    # when that code does.
    features = apps.get_model("identity", "LinkFeatures")
    table = schema_editor.quote_name(features._meta.db_table)
    last = 0
    while True:
        rows = list(
            features.objects.filter(person_id__gt=last)
            .order_by("person_id")
            .values_list("person_id", "features")[:5000]
        )
        if not rows:
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET search_name = %s WHERE person_id = %s",
                [
                    (
                        json.dumps(
                            [f.get("given"), f.get("family"), f.get("given_canons", []), f.get("name_keys", [])],
                            separators=(",", ":"),
                        ),
                        pid,
                    )
                    for pid, f in rows
                ],
            )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("identity", "0003_blockingkey_key_person")]

    operations = [
        migrations.AddField(
            model_name="linkfeatures",
            name="search_name",
            field=models.TextField(
                default="", help_text="the name features person search compares (features.search_name), as JSON text"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="linkfeatures",
            index=models.Index(fields=["person"], include=["search_name"], name="identity_linkfeat_search"),
        ),
    ]
