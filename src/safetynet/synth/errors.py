"""The generator's own error: a parameter the caller can fix (the CLI reports it as a usage error)."""

from __future__ import annotations


class SynthConfigError(Exception):
    """An impossible county parameter or output path; the message names it in one line."""
