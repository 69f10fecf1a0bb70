from __future__ import annotations

from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "safetynet.interchange"
    label = "interchange"
    verbose_name = "Interchange (import and export)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Records reads stored versions (as of a past time) through the importer's own parser;
        # records sits below interchange, so interchange hands the parser down.
        from safetynet.interchange.history import read_payload
        from safetynet.records.versions import register_payload_reader

        register_payload_reader(read_payload)
