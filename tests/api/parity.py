"""One side of the door-parity test, in a process of its own with its own database:
`python -m tests.api.parity cli|api FILE OUT` (DJANGO_SETTINGS_MODULE=tests.api.parity_settings).

Creates the tables, stores FILE through the CLI import or through POST /api/v1/records (calls of
the import's chunk size, so linkage sees the records in the same groups), lets linkage, risk and
task sync run as they do on every chunk, and writes a canonical dump (records, versions,
individuals as sets of source records, findings) to OUT.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _post_file(path: Path, calls_of: int) -> None:
    from django.test import Client

    from safetynet.access.apikeys import issue_key
    from safetynet.lib.clock import system_clock

    lines = path.read_bytes().splitlines()
    sources = sorted({json.loads(line)["source"] for line in lines})
    _key, raw = issue_key(
        name="parity", sources=sources, markers=["registered_sex_offender", "mappa"], created_by="t", clock=system_clock
    )
    client = Client(HTTP_HOST="localhost")
    for start in range(0, len(lines), calls_of):
        body = b"\n".join(lines[start : start + calls_of])
        response = client.post(
            "/api/v1/records",
            data=body,
            content_type="application/x-ndjson",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code == 200, response.content[:200]
        assert response.json()["counts"]["rejected"] == 0, response.json()["lines"][:3]


def _identity_and_findings() -> dict[str, Any]:
    from safetynet.identity.models import Membership
    from safetynet.risk.models import Finding
    from safetynet.work.models import Task

    members: dict[int, list[str]] = {}
    for individual_id, source, source_id in Membership.objects.values_list(
        "individual_id", "person__source", "person__source_id"
    ):
        members.setdefault(individual_id, []).append(f"{source}:{source_id}")
    who = {pk: sorted(keys) for pk, keys in members.items()}
    findings = sorted(
        json.dumps([who.get(f.individual_id), f.clause, f.severity, f.reason, f.cites, f.key, f.state, f.owner_role])
        for f in Finding.objects.all()
    )
    tasks = sorted(
        json.dumps([t.finding.clause, who.get(t.finding.individual_id), t.state, t.owner_role])
        for t in Task.objects.select_related("finding")
    )
    return {"individuals": sorted(who.values()), "findings": findings, "tasks": tasks}


if __name__ == "__main__":
    import django

    django.setup()
    from django.core.management import call_command

    from safetynet.interchange.importer import CHUNK_LINES, import_files
    from tests.interchange.dump import canonical_dump

    door, source, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    call_command("migrate", verbosity=0)
    if door == "cli":
        assert import_files([source], acting_user="parity").rejected == 0
    else:
        _post_file(source, CHUNK_LINES)
    out.write_text(json.dumps({**canonical_dump(), **_identity_and_findings()}, sort_keys=True, indent=0))
