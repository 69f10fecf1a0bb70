"""Making and revoking source systems' API keys, each written to the access log in the same
transaction (an access change, like a user's role). The key itself is never logged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from safetynet.access.apikeys import issue_key, revoke_key
from safetynet.access.models import ApiKey
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.lib.clock import Clock


@transaction.atomic
def create_api_key(
    *,
    acting_user: Any,
    username: str,
    name: str,
    sources: Iterable[str],
    kinds: Iterable[str] = (),
    markers: Iterable[str] = (),
    clock: Clock,
) -> tuple[ApiKey, str]:
    """A new key (see `access.apikeys.issue_key`); returns the row and the key, shown once.
    `username` names who made it when there is no `acting_user` (the CLI's operating-system user)."""
    key, raw = issue_key(
        name=name,
        sources=sources,
        kinds=kinds,
        markers=markers,
        created_by=getattr(acting_user, "username", "") or username,
        clock=clock,
    )
    _log(key, acting_user=acting_user, username=username, what="created", clock=clock)
    return key, raw


@transaction.atomic
def revoke_api_key(*, acting_user: Any, username: str, name: str, clock: Clock) -> ApiKey:
    """Revoke the key named `name`: its next call answers 401."""
    key = revoke_key(name=name, clock=clock)
    _log(key, acting_user=acting_user, username=username, what="revoked", clock=clock)
    return key


def _log(key: ApiKey, *, acting_user: Any, username: str, what: str, clock: Clock) -> None:
    scope = [f"sources={','.join(key.sources)}", f"kinds={','.join(key.kinds) or 'all'}"]
    if key.markers:
        scope.append(f"markers={','.join(key.markers)}")
    record_audit(
        acting_user=acting_user,
        action=Action.CHANGE,
        object_type="api_key",
        object_ids=[key.name],
        fields=scope,
        reason=f"API key {what}",
        username=username if acting_user is None else "",
        ip="",
        clock=clock,
    )
