"""API keys of source systems: issue, find by the key a request presents, scope, rate limit.

A key reads `sn_<prefix>_<secret>`: the prefix (12 hex characters) finds the row, the whole
key's SHA-256 is what is stored, compared in constant time. The secret is 256 random bits, so
a fast hash is enough (a slow one protects guessable passwords, not random keys). The key is
shown once, when it is made; nothing prints or logs it again.

The rate limit counts calls per key per minute in Django's cache. The default cache is per
process; production sets a shared cache (`CACHES`, e.g. the database cache or Redis), so the
limit holds across gunicorn workers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from safetynet.access.models import ApiKey
from safetynet.lib.clock import Clock

# Records written in safetynet itself (web forms); no source system may write them.
RESERVED_SOURCE = "safetynet"
# Marker types a key writes only when it is allowed to by name (`--markers`).
RESTRICTED_MARKER_TYPES = frozenset({"registered_sex_offender", "mappa"})
KEY_PREFIX = "sn"
DEFAULT_CALLS_PER_MINUTE = 600


class ApiKeyError(ValueError):
    """A key that cannot be made or revoked as asked (the message says why)."""


@dataclass(frozen=True)
class KeyScope:
    """What a key may write and read: its sources, kinds (None: all) and restricted marker types."""

    sources: frozenset[str]
    kinds: frozenset[str] | None
    markers: frozenset[str]

    @classmethod
    def of(cls, key: ApiKey) -> KeyScope:
        return cls(frozenset(key.sources), frozenset(key.kinds) if key.kinds else None, frozenset(key.markers))


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_key(
    *,
    name: str,
    sources: Iterable[str],
    kinds: Iterable[str] = (),
    markers: Iterable[str] = (),
    created_by: str,
    clock: Clock,
) -> tuple[ApiKey, str]:
    """A new key for a source system; returns the row and the key (shown once, never stored)."""
    sources, kinds, markers = sorted(set(sources)), sorted(set(kinds)), sorted(set(markers))
    if not name.strip():
        raise ApiKeyError("give the key a name (the system it is for)")
    if ApiKey.objects.filter(name=name).exists():
        raise ApiKeyError(f"a key named {name!r} exists already (revoke it, or choose another name)")
    if not sources or not all(s.strip() for s in sources):
        raise ApiKeyError("name at least one source the key may write, e.g. --sources rms")
    if RESERVED_SOURCE in sources:
        raise ApiKeyError(f"{RESERVED_SOURCE!r} is reserved for records written in safetynet; no key may write it")
    unknown = set(markers) - RESTRICTED_MARKER_TYPES
    if unknown:
        raise ApiKeyError(
            f"--markers takes restricted marker types only ({', '.join(sorted(RESTRICTED_MARKER_TYPES))}); "
            f"other marker types need no permission"
        )
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        digest=digest_of(raw),
        sources=sources,
        kinds=kinds,
        markers=markers,
        created_at=clock.now(),
        created_by=created_by[:150],
    )
    return key, raw


def revoke_key(*, name: str, clock: Clock) -> ApiKey:
    """Revoke the key named `name` (at once: its next call answers 401)."""
    key = ApiKey.objects.filter(name=name).first()
    if key is None:
        raise ApiKeyError(f"no key named {name!r} (see `safetynet apikey list`)")
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
    return key


def key_for(raw: str) -> ApiKey | None:
    """The active key `raw` is, or None (unknown, malformed or revoked): compared in constant time."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 12:
        return None
    key = ApiKey.objects.filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.digest, digest_of(raw)):
        return None
    return key if key.is_active else None


def calls_per_minute() -> int:
    return int(getattr(settings, "SAFETYNET_API_KEY_CALLS_PER_MINUTE", DEFAULT_CALLS_PER_MINUTE))


def over_rate_limit(key: ApiKey, now: dt.datetime) -> int | None:
    """Counts this call; returns the seconds to wait (Retry-After) when the key is over its
    limit this minute, else None."""
    window = int(now.timestamp()) // 60
    slot = f"safetynet:apikey-calls:{key.pk}:{window}"
    cache.add(slot, 0, timeout=120)
    try:
        calls = cache.incr(slot)
    except ValueError:  # expired between add and incr
        cache.set(slot, 1, timeout=120)
        calls = 1
    if calls <= calls_per_minute():
        return None
    return max(1, 60 - int(now.timestamp()) % 60)
