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
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from safetynet.access.models import Restriction
        from safetynet.lib.memo import forget

        # A request that restricts a child, or names a user on a restriction, and then reads
        # what the viewer may see reads the change (the request memo holds the restrictions).
        def _restrictions_changed(**_kwargs: object) -> None:
            forget()

        for signal in (post_save, post_delete):
            signal.connect(_restrictions_changed, sender=Restriction, weak=False, dispatch_uid=f"memo-{id(signal)}")
        m2m_changed.connect(
            _restrictions_changed, sender=Restriction.named_users.through, weak=False, dispatch_uid="memo-m2m"
        )
