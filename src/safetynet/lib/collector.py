"""Pausing Python's cyclic garbage collector around work that builds many objects and no cycles.

The collector runs a pass every few hundred allocations of container objects and, every so
often, a full pass over every live container. Code that holds a large structure (a county's
person features, a generated county) and then builds hundreds of thousands of small tuples,
sets or dicts pays for full passes over the large structure again and again, and collects
nothing: none of these objects form reference cycles, so reference counting frees them. Batch
clustering of a million person records spent two thirds of its time in such passes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
