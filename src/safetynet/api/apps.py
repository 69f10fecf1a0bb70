from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safetynet.api"
    label = "api"
    verbose_name = "REST API"
