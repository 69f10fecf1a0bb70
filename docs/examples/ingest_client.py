"""An example source-system client for safetynet's REST ingest (docs/api.md "REST ingest").

    SAFETYNET_URL=http://127.0.0.1:8000 SAFETYNET_API_KEY=sn_... python docs/examples/ingest_client.py records.jsonl

Sends a JSON Lines file in calls of at most 5,000 records, waits when told to (429,
Retry-After) and retries a call that failed in transit (the same call sent again changes
nothing), then writes every rejected line with its reason to `records.jsonl.rejects.jsonl`,
as `safetynet import` does. Standard library only. Exit code 0 when every line was stored, 3
when some were rejected.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

CALL_RECORDS = 5000


def post(url: str, key: str, lines: list[bytes]) -> dict[str, object]:
    """One call, retried after a 429 or a failure in transit; returns the answer document."""
    request = urllib.request.Request(
        f"{url}/api/v1/records",
        data=b"\n".join(lines) + b"\n",
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"},
    )
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                answer: dict[str, object] = json.load(response)
                return answer
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                time.sleep(int(exc.headers.get("Retry-After", "5")))
                continue
            raise SystemExit(f"refused: HTTP {exc.code} {exc.read()[:300]!r}") from None
        except (urllib.error.URLError, TimeoutError):
            time.sleep(2**attempt)  # safe to send again: stored lines answer "unchanged"
    raise SystemExit("gave up after 5 attempts")


def main(path: Path) -> int:
    url, key = os.environ["SAFETYNET_URL"].rstrip("/"), os.environ["SAFETYNET_API_KEY"]
    lines = path.read_bytes().splitlines()
    rejected = 0
    with path.with_name(path.name + ".rejects.jsonl").open("w", encoding="utf-8") as rejects:
        for start in range(0, len(lines), CALL_RECORDS):
            part = lines[start : start + CALL_RECORDS]
            answer = post(url, key, part)
            for line in answer["lines"]:  # type: ignore[attr-defined]
                if line["outcome"] == "rejected":
                    rejected += 1
                    raw = part[line["line"] - 1].decode("utf-8", "replace")
                    rejects.write(json.dumps({**line, "line": start + line["line"], "raw": raw}) + "\n")
            print(f"lines {start + 1}-{start + len(part)}: {answer['counts']}")
    return 3 if rejected else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
