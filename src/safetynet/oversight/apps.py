"""The oversight app: the case file audit (dip samples, grades, actions as tasks)."""

from __future__ import annotations

from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "safetynet.oversight"
    label = "oversight"
    verbose_name = "Oversight (case file audit)"
