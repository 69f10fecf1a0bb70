"""Send a file's lines through the capture service in one call: `python -m tests.interchange.capture_file PATH [CHUNK]`.

Run against the configured database, so a test can kill it mid-call (test_capture_crash.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    import django

    django.setup()
    from safetynet.interchange.capture import capture
    from safetynet.lib.clock import SystemClock

    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    lines = Path(sys.argv[1]).read_bytes().splitlines()
    result = capture(lines, door="drop", clock=SystemClock(), notify=False, chunk_lines=chunk)
    for answer in result.answers:
        if answer.outcome == "rejected":
            print(answer.as_dict(), file=sys.stderr)
    sys.exit(3 if result.rejected else 0)
