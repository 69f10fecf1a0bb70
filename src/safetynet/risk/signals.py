"""`findings_changed`: sent after stored findings change (kwargs `opened`, `updated`, `closed`:
lists of finding ids; `reopened`: (finding id, what changed) of resolved findings whose
resolution no longer holds). The work app listens to turn findings into tasks."""

from __future__ import annotations

from django.dispatch import Signal

findings_changed = Signal()
