"""Each person's comparison features and blocking keys, stored in the database so a new record
is matched against existing ones in milliseconds."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from django.db import connection, transaction
from more_itertools import chunked

from safetynet.identity.features import (
    Features,
    features_from_values,
    index_keys,
    lookup_keys,
    search_name,
)
from safetynet.identity.models import (
    BlockingKey,
    LinkFeatures,
)
from safetynet.lib.clock import Clock, system_clock
from safetynet.records.models import Person, PersonAddress

# --- features and the blocking index ----------------------------------------------------


# Part of every stored digest: raising it (when the blocking keys change) makes the next
# `safetynet link` re-key every record, so old records share the new keys with new ones.
INDEX_VERSION = 2


def _digest(features: Features) -> str:
    text = json.dumps(features, sort_keys=True) + f"|index {INDEX_VERSION}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def refresh_features(
    person_ids: Iterable[int] | None, today: dt.date, chunk: int = 5000, *, clock: Clock = system_clock
) -> dict[int, Features]:
    """Recompute features and blocking keys of the given live persons (all when None).

    Rows whose features did not change are not rewritten. Persons no longer live lose
    their features and keys. Returns person id -> features of the live persons asked for.
    """
    wanted = None if person_ids is None else list(person_ids)
    current = features_for_persons(wanted, today)
    by_id = {f["unique_id"]: f for f in current}
    existing = dict(
        (
            LinkFeatures.objects.all() if wanted is None else LinkFeatures.objects.filter(person_id__in=wanted)
        ).values_list("person_id", "digest")
    )
    gone = [pid for pid in existing if pid not in by_id]
    changed = [f for f in current if existing.get(f["unique_id"]) != _digest(f)]
    if wanted is not None:
        # Mark unchanged records as seen, so `safetynet link` does not pick them up again.
        same = [f["unique_id"] for f in current if existing.get(f["unique_id"]) == _digest(f)]
        LinkFeatures.objects.filter(person_id__in=same).update(computed_at=clock.now())
    with transaction.atomic():
        if gone:
            for stale in chunked(gone, chunk):
                BlockingKey.objects.filter(person_id__in=stale).delete()
                LinkFeatures.objects.filter(person_id__in=stale).delete()
    feature_table, key_table = LinkFeatures._meta.db_table, BlockingKey._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(clock.now())
    quote = connection.ops.quote_name
    for part in chunked(changed, chunk):
        ids = [f["unique_id"] for f in part]
        # Plain executemany: the ORM's bulk_create costs ten times more per row here.
        with transaction.atomic(), connection.cursor() as cursor:
            BlockingKey.objects.filter(person_id__in=ids).delete()
            LinkFeatures.objects.filter(person_id__in=ids).delete()
            cursor.executemany(
                f"INSERT INTO {quote(feature_table)} (person_id, features, search_name, digest, computed_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(f["unique_id"], json.dumps(f), search_name(f), _digest(f), stamp) for f in part],
            )
            cursor.executemany(
                f"INSERT INTO {quote(key_table)} (person_id, {quote('key')}) VALUES (%s, %s)",
                [(f["unique_id"], k) for f in part for k in index_keys(f)],
            )
    return by_id


def stored_features(person_ids: Iterable[int]) -> dict[int, Features]:
    """Return the stored features of the given persons."""
    return {
        pid: features
        for pid, features in LinkFeatures.objects.filter(person_id__in=list(person_ids)).values_list(
            "person_id", "features"
        )
    }


def candidates(features: Features, limit: int = 2000) -> list[int]:
    """Return ids of persons the blocking rules pair with these features (`lookup_keys`)."""
    keys = lookup_keys(features)
    if not keys:
        return []
    found = (
        BlockingKey.objects.filter(key__in=keys)
        .exclude(person_id=features["unique_id"])
        .values_list("person_id", flat=True)
        .distinct()[:limit]
    )
    return list(found)


def person_pk(person: Person | int) -> int:
    """Return the id of a person given as a record or an id."""
    return person if isinstance(person, int) else int(person.pk)


def features_of(person_ids: list[int], today: dt.date) -> dict[int, Features]:
    """Return the features of these persons: stored ones, computed for any not stored yet."""
    found = stored_features(person_ids)
    missing = [p for p in person_ids if p not in found]
    if missing:
        found.update({f["unique_id"]: f for f in features_for_persons(missing, today)})
    return found


def features_for_persons(person_ids: Iterable[int] | None, today: dt.date) -> list[Features]:
    """Return the features of the given live persons (all live persons when None)."""
    query = Person.live.all()
    if person_ids is not None:
        query = query.filter(pk__in=list(person_ids))
    rows = list(
        query.values_list(
            "pk",
            "given_names",
            "family_name",
            "other_names",
            "date_of_birth",
            "sex",
            "postcode",
            "identifiers",
            "nhs_number",
            "pnc_id",
            "upn",
            "csc_id",
        ).order_by("pk")
    )
    history: dict[int, list[str]] = {}
    addresses = PersonAddress.objects.exclude(location__postcode="")
    if person_ids is not None:
        addresses = addresses.filter(person_id__in=[r[0] for r in rows])
    for pid, pc in addresses.values_list("person_id", "location__postcode"):
        history.setdefault(pid, []).append(pc)
    result = []
    for pk, given, family, other, dob, sex, postcode, identifiers, nhs, pnc, upn, csc in rows:
        ids = dict(identifiers or {})
        # The typed columns are what import validated; the identifiers object fills gaps.
        for key, value in (("nhs_number", nhs), ("pnc_id", pnc), ("upn", upn), ("csc_id", csc)):
            if value:
                ids[key] = value
        result.append(
            features_from_values(
                unique_id=pk,
                given_names=given,
                family_name=family,
                other_names=other if isinstance(other, list) else [],
                date_of_birth=dob,
                sex=sex,
                postcode=postcode,
                other_postcodes=history.get(pk, []),
                identifiers=ids,
                today=today,
            )
        )
    return result


# --- blocking keys ---------------------------------------------------------------------
