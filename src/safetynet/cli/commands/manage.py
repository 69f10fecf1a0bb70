"""`safetynet manage`: run any Django management command (for administrators)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "manage",
        help="run a Django management command (administrators)",
        description="Pass the remaining arguments to Django's manage.py, e.g. 'safetynet manage check --deploy'.",
    )
    p.add_argument("django_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["safetynet manage", *args.django_args])
    return 0
