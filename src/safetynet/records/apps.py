from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "safetynet.records"
    label = "records"
    verbose_name = "Records (people, places, events)"
