"""How a source record is named across systems: Django-free, so parsing in worker processes can use it."""

from __future__ import annotations

NaturalKey = tuple[str, str]  # (source, source id)
Target = tuple[str, NaturalKey]  # (kind, (source, id))
