"""`field__int_in=[...]`: an IN list of integer keys written into the SQL as literals.

Django prepares every value of an `__in` list through the field (and, for a foreign key,
normalises each one), which for set-oriented loads of thousands of keys per query cost more
than the queries themselves (the risk picture: about a third of a full evaluation). The
values here are forced through `int()`, so writing them literally is as safe as a parameter,
and the list does not count against SQLite's parameter limit. Pass the keys as `keys(ids)`:
Django walks a list or tuple value element by element looking for expressions, a frozenset
it leaves alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


def keys(values: Iterable[Any]) -> frozenset[int]:
    """Returns integer keys in the form `__int_in` takes without per-value work by Django."""
    return frozenset(int(v) for v in values)


class IntIn(Lookup):
    lookup_name = "int_in"
    prepare_rhs = False

    def get_prep_lookup(self) -> frozenset[int]:
        return self.rhs if isinstance(self.rhs, frozenset) else keys(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        return f"{lhs} IN ({','.join(str(v) for v in sorted(set(self.rhs)))})", tuple(params)


def register() -> None:
    """Makes `__int_in` available on every field, foreign keys included (they keep their own
    lookup table); idempotent."""
    Field.register_lookup(IntIn)
    ForeignObject.register_lookup(IntIn)


# Values per parameterised `__in` list (one SQL variable each): well under SQLite's limit of 999
# on older builds. Batch with `more_itertools.chunked(values, IN_BATCH)`.
IN_BATCH = 900
