"""`safetynet createuser`: add a user who can log in."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "createuser",
        help="add a user who can log in",
        description="Create a user. The password is read from standard input with --password-stdin, "
        "asked for on a terminal, or generated and printed once.",
    )
    p.add_argument("username")
    p.add_argument("--email", default="")
    p.add_argument("--superuser", action="store_true", help="a system administrator with the admin site")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from safetynet.cli.django_setup import ensure_database

    ensure_database()
    User = get_user_model()
    if User.objects.filter(username=args.username).exists():
        raise UsageError(f"a user named {args.username!r} already exists.")
    generated = False
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
    else:
        password, generated = secrets.token_urlsafe(15), True
    user = User(username=args.username, email=args.email, is_staff=args.superuser, is_superuser=args.superuser)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UsageError("password refused: " + " ".join(exc.messages)) from None
    user.set_password(password)
    user.save()
    print(f"created user {args.username}" + (f" with password {password}" if generated else ""))
    return 0
