"""Incremental linkage on import: person records changed -> link them at once."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from safetynet.identity.linking import link_persons
from safetynet.identity.linkmodel import ModelError
from safetynet.identity.memberships import individual_of_people, send_changed
from safetynet.records.signals import records_changed

log = logging.getLogger(__name__)


@receiver(records_changed, dispatch_uid="identity.link_changed_persons")
def link_changed_persons(sender: Any, changes: dict[str, list[int]] | None = None, **kwargs: Any) -> None:
    """Match the batch's new or changed person records against existing ones. A changed record
    that stays with its individual (a new school, a care status) still changes what is known
    about them: their individuals are announced as changed too, so risk re-evaluates them."""
    person_ids = (changes or {}).get("person") or []
    if not person_ids:
        return
    try:
        changed = link_persons(person_ids, reason="incremental")
    except ModelError:
        # No model: records stay unlinked until `safetynet link train`; never fail an import.
        log.warning("identity: no linkage model; %d person records left unlinked", len(person_ids))
        return
    log.info("identity: linked %d person records, %d individuals changed", len(person_ids), len(changed))
    held = set(individual_of_people(person_ids).values()) - set(changed)
    send_changed(held, "records changed")
