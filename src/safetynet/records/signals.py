"""Signals of the records layer.

`records_changed`: sent by import after each chunk commits; kwargs
`changes: dict[str, list[int]]` (kind -> primary keys), `batch_id` and `live` (True when a
person or a source system is waiting on the answer: a web form, a REST call; receivers may then
do their work at once for a few individuals instead of queueing it).
"""

from django.dispatch import Signal

records_changed = Signal()
