"""`safetynet schema [--out PATH]`: print or write the interchange JSON Schema."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "schema",
        help="print the interchange format's JSON Schema (docs/interchange.schema.json)",
        description="Generate the JSON Schema of one interchange line from the importer's own models.",
    )
    p.add_argument("--out", type=Path, default=None, help="write it to this file instead of printing it")
    p.set_defaults(func=run, needs_django=False)


def schema_text() -> str:
    """The schema as committed: indented JSON with a final newline."""
    import json

    from safetynet.interchange.schema import json_schema

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.out is None:
        print(text, end="")
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0
