from __future__ import annotations

from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "safetynet.interchange"
    label = "interchange"
    verbose_name = "Interchange (import and export)"
    default_auto_field = "django.db.models.BigAutoField"
