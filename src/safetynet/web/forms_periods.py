"""A period filter (from, to) for the oversight screens: in the address (GET), so Back and shared
links keep it; an impossible period is refused beside its field (lib.periods)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import quote

from django import forms

from safetynet.lib.periods import PeriodRefused, check_period
from safetynet.web.forms import GovukFormMixin
from safetynet.web.forms_meetings import _date

# Any of these in the address binds the form (the rest take their defaults).
FILTER_KEYS = ("period_from", "period_to", "team", "agency", "area")


class PeriodForm(GovukFormMixin, forms.Form):
    period_from = _date("From", "the first day of the period")
    period_to = _date("To", "the last day of the period")

    def __init__(self, data: Any, *, today: dt.date, default_days: int = 90, **kwargs: Any) -> None:
        default = (today - dt.timedelta(days=default_days), today)
        given = data.copy() if data and any(k in data for k in FILTER_KEYS) else None
        if given is not None:
            # Either end left out takes the default's (the last `default_days` days), shown as such.
            for name, value in zip(("period_from", "period_to"), default, strict=True):
                if not given.get(name):
                    given[name] = value.isoformat()
        kwargs.setdefault("initial", {"period_from": default[0], "period_to": default[1]})
        super().__init__(given, **kwargs)
        self.today = today
        self.default = default
        self.style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            check_period(data.get("period_from"), data.get("period_to"), self.today)
        except PeriodRefused as refused:
            self.add_error(refused.field, refused.expected[:1].upper() + refused.expected[1:])
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The period chosen, or the default (the last `default_days` days) when none was."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period_from"], self.cleaned_data["period_to"]
        return self.default

    def query(self) -> str:
        start, end = self.period()
        return f"period_from={start.isoformat()}&period_to={end.isoformat()}"


class TimelinessForm(PeriodForm):
    """The timeliness dashboard's filters: the period and, optionally, one team and one area."""

    team = forms.ChoiceField(
        label="Team", required=False, error_messages={"invalid_choice": "Select a team from the list"}
    )
    area = forms.ChoiceField(
        label="Area", required=False, error_messages={"invalid_choice": "Select an area from the list"}
    )

    def __init__(
        self, data: Any, *, today: dt.date, teams: list[tuple[str, str]], areas: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(data, today=today, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "All teams"), *teams]
        cast(forms.ChoiceField, self.fields["area"]).choices = [("", "The whole county"), *((a, a) for a in areas)]
        self.style_widgets()

    def chosen_area(self) -> str:
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data.get("area") or "")
        return ""

    def chosen_team(self) -> str:
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data.get("team") or "")
        return ""

    def query(self) -> str:
        team, area = self.chosen_team(), self.chosen_area()
        return super().query() + (f"&team={team}" if team else "") + (f"&area={quote(area)}" if area else "")


class DashboardForm(PeriodForm):
    """The oversight dashboards' filters: the period, one agency and one area (each optional)."""

    agency = forms.ChoiceField(
        label="Agency", required=False, error_messages={"invalid_choice": "Select an agency from the list"}
    )
    area = forms.ChoiceField(
        label="Area", required=False, error_messages={"invalid_choice": "Select an area from the list"}
    )

    def __init__(
        self, data: Any, *, today: dt.date, agencies: list[tuple[str, str]], areas: list[str], **kwargs: Any
    ) -> None:
        super().__init__(data, today=today, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [("", "All agencies"), *agencies]
        cast(forms.ChoiceField, self.fields["area"]).choices = [("", "The whole county"), *((a, a) for a in areas)]
        self.style_widgets()

    def chosen(self, name: str) -> str:
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data.get(name) or "")
        return ""

    def query(self) -> str:
        extra = "".join(f"&{name}={quote(self.chosen(name))}" for name in ("agency", "area") if self.chosen(name))
        return super().query() + extra
