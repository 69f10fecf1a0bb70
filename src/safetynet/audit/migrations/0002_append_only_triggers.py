"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the access
log, whoever connects: the application, a database shell, another tool.

The only way past them is the per-connection switch safetynet.audit.receivers turns on under
the test settings (so the test runner can empty tables between tests), or dropping the
trigger, which needs the table owner and which `safetynet audit verify` then exposes.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES = ["audit_auditentry", "audit_auditsubject"]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION safetynet_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('safetynet.audit_purge_allowed', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; ELSIF TG_OP = 'UPDATE' THEN RETURN NEW; ELSE RETURN NULL; END IF;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _forward(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in TABLES:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    "WHEN safetynet_audit_purge_allowed() = 0 "
                    f"BEGIN SELECT RAISE(ABORT, 'the access log is append-only: {op} on {table} refused'); END;"
                )
    elif vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION safetynet_audit_append_only();"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION safetynet_audit_append_only();"
            )


def _backward(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS safetynet_audit_append_only();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_forward, _backward)]
