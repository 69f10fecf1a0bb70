"""Model fields that read the injected clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from safetynet.lib.clock import now


class StampField(models.DateTimeField):
    """A `DateTimeField` whose `auto_now` / `auto_now_add` stamp reads the clock in force
    (`lib.clock`), not `timezone.now()`, so a pinned clock stamps rows exactly."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if self.auto_now or (self.auto_now_add and add):
            value: dt.datetime = now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self) -> Any:
        # The column is a plain DateTimeField: migrations see one, so changing the class
        # rewrote no table (SQLite rebuilds a table on any AlterField).
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs
