"""`individuals_changed`: sent after linkage changes individuals.

kwargs: `individual_ids: list[int]` (created, changed or retired individuals) and
`reason: str` (e.g. "linkage", "incremental", "decision", "merge", "unmerge"). The risk
engine listens to it. Sent after the database transaction commits.
"""

from __future__ import annotations

from django.dispatch import Signal

individuals_changed = Signal()
