"""Template filters for the web app: `{% load sn %}`."""

from __future__ import annotations

from django import template

from safetynet.reads.labels import label as _label

register = template.Library()


@register.filter
def label(code: object) -> str:
    """A coded value as a sentence-case label (see safetynet.reads.labels)."""
    return _label(code)
