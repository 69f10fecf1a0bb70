"""Errors that end a command with one clear line and exit code 2."""

from __future__ import annotations

from safetynet.synth.errors import SynthConfigError


class UsageError(Exception):
    """Bad input or configuration the user can fix; printed as one line, exit code 2."""

    exit_code = 2


# Errors a lower layer raises for input the user can fix: reported exactly like a UsageError.
FIXABLE_ERRORS: tuple[type[Exception], ...] = (UsageError, SynthConfigError)
