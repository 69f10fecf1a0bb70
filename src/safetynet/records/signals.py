"""Signals of the records layer.

`records_changed`: sent by import after each chunk commits; kwargs
`changes: dict[str, list[int]]` (kind -> primary keys) and `batch_id`.
"""

from django.dispatch import Signal

records_changed = Signal()
