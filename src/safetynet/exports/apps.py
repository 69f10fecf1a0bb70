"""The exports app: holds the print template (no models)."""

from __future__ import annotations

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "safetynet.exports"
    label = "exports"
    verbose_name = "Exports (PDF and CSV)"
