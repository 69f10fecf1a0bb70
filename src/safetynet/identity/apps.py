from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "safetynet.identity"
    label = "identity"
    verbose_name = "Identity (one picture per person)"
