"""The risk engine app."""

from __future__ import annotations

from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "safetynet.risk"
    label = "risk"
    verbose_name = "Risk (policy, rules, findings)"

    def ready(self) -> None:
        from safetynet.lib.lookups import register

        register()  # `__int_in` for the picture's and the findings' key lists
        from safetynet.risk import receivers  # noqa: F401  (re-evaluates individuals changed by linkage)
