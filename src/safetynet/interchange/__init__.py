"""Interchange: JSON Lines in and out of the records model (docs/interchange.md)."""
