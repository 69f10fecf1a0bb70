from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "safetynet.web"
    label = "web"
    verbose_name = "Web app"
