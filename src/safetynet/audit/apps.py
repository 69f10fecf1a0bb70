"""The tamper-evident access log."""

from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safetynet.audit"
    label = "audit"
    verbose_name = "Audit (access log)"

    def ready(self) -> None:
        from safetynet.audit import receivers  # noqa: F401  (sign-in, lockout and database hooks)
