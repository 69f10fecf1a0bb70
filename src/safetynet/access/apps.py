"""Access control: who may see which children's records, and which parts of them."""

from __future__ import annotations

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "safetynet.access"
    label = "access"
    verbose_name = "Access (agencies, roles, permissions)"

    def ready(self) -> None:
        from safetynet.access import matrix

        # Load and validate the matrix at start-up: a typo in it stops the server, never
        # silently grants or denies at request time.
        matrix.load()
