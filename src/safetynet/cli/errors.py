"""Errors that end a command with one clear line and exit code 2."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input or configuration the user can fix; printed as one line, exit code 2."""

    exit_code = 2
