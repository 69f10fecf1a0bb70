"""The drop folder's side of the door-parity test, in a process of its own with its own database:
`python -m tests.interchange.drop_parity FILE OUT` (DJANGO_SETTINGS_MODULE=tests.api.parity_settings).

Creates the tables, drops FILE into a folder and runs one pass of the watcher (linkage, risk and
task sync run as on every chunk), then writes the same canonical dump as `tests.api.parity`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

if __name__ == "__main__":
    import django

    django.setup()
    from django.core.management import call_command

    from safetynet.interchange.drop import ingest_once
    from safetynet.lib.clock import system_clock
    from tests.api.parity import _identity_and_findings
    from tests.interchange.dump import canonical_dump

    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    call_command("migrate", verbosity=0)
    folder = out.parent / "drop"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    (item,) = ingest_once(folder, clock=system_clock)
    assert item.counts["rejected"] == 0 and (folder / "done" / source.name).exists()
    out.write_text(json.dumps({**canonical_dump(), **_identity_and_findings()}, sort_keys=True, indent=0))
