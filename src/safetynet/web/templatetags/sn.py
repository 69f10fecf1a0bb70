"""Template filters for the web app: `{% load sn %}`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@register.filter
def partial_date(value: object) -> str:
    """A stored full or partial date in the GOV.UK style: "2011-04-23" -> "23 April 2011",
    "2011-04" -> "April 2011", "2011" stays; anything else is shown as it is."""
    text = str(value or "")
    parts = text.split("-")
    if not all(p.isdigit() for p in parts) or len(parts[0]) != 4 or len(parts) > 3:
        return text
    if len(parts) >= 2 and not 1 <= int(parts[1]) <= 12:
        return text
    month = _MONTH_NAMES[int(parts[1]) - 1] if len(parts) >= 2 else ""
    if len(parts) == 3:
        return f"{int(parts[2])} {month} {parts[0]}"
    return f"{month} {parts[0]}" if month else parts[0]


@register.filter
def moment(value: object) -> object:
    """A stored ISO 8601 date and time (as records keep them in `details`) as a datetime, for the
    `date` filter to show in the force's time zone; anything else is shown as it is."""
    if not isinstance(value, str) or not value:
        return value
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return value


@register.filter
def lookup(mapping: object, key: object) -> object:
    """`mapping[key]` in a template ("" when absent): a name by individual id."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def choice_input(choice: Any) -> SafeString:
    """One checkbox or radio of a choice field (a BoundWidget), written as Django's own
    `input.html` writes it (type, name, value, then every attribute but those set False) without
    rendering a template per choice: a filter with 20 event types and 15 agencies rendered 35
    templates on every person page."""
    data = choice.data
    parts = [format_html(' type="{}" name="{}"', data["type"], data["name"])]
    if data["value"] is not None:
        parts.append(format_html(' value="{}"', str(data["value"])))
    for name, value in data["attrs"].items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return mark_safe("<input" + "".join(parts) + ">")  # every part escaped by format_html
