"""Record linkage: every source record about a person linked into one Individual."""

from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "safetynet.identity"
    label = "identity"
    verbose_name = "Identity (one picture per person)"

    def ready(self) -> None:
        from safetynet.identity import receivers  # noqa: F401  (connects the import receiver)
