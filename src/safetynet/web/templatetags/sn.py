"""Template filters for the web app: `{% load sn %}`."""

from __future__ import annotations

from django import template

from safetynet.reads.labels import label as _label
from safetynet.reads.labels import severity_colour as _severity_colour

register = template.Library()


@register.filter
def severity_colour(severity: object) -> str:
    """The GOV.UK tag colour for a severity (see safetynet.reads.labels)."""
    return _severity_colour(str(severity))


@register.filter
def label(code: object) -> str:
    """A coded value as a sentence-case label (see safetynet.reads.labels)."""
    return _label(code)
