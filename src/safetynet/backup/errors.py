"""The one error a backup or restore refuses with: its text is one line for the operator."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore refused before any change (or a check that failed after one); the
    message names what was wrong and what to do, never data from the database."""
