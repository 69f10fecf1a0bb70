"""The protection workspace's forms (police protection and a child in custody). They check what a
person can fix before sending (a date that is a date, a required answer); the services
(`protection.police`, `protection.custody`) refuse anything else with the field, and the view
shows it beside that field. A date and time typed in two boxes is one field of the service: the
date box of `<field>_date` carries its refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from safetynet.protection.custody import OUTCOMES
from safetynet.web.forms import GovukFormMixin
from safetynet.web.forms_meetings import _text, _when

_REQUIRED = "required"


def _day(label: str, what: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={_REQUIRED: f"Enter {what}", "invalid": f"Enter {what} as a real date, like 9 March 2027"},
    )


def _clock(label: str, what: str, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={_REQUIRED: f"Enter {what}", "invalid": f"Enter {what} as a time, like 14:30"},
    )


class ProtectionForm(GovukFormMixin, forms.Form):
    """A form whose date and time pairs (`<field>_date`, `<field>_time`) are read as one moment,
    and whose fields are named after the service's, so a refusal lands beside its field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def moment(self, name: str) -> dt.datetime | None:
        day, time = self.cleaned_data.get(f"{name}_date"), self.cleaned_data.get(f"{name}_time")
        return _when(day, time) if day and time else None

    def field_for(self, service_field: str) -> str | None:
        """The form field that shows a refusal of `service_field` (None: the form's own)."""
        for name in (service_field, f"{service_field}_date"):
            if name in self.fields:
                return name
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in [n[: -len("_date")] for n in self.fields if n.endswith("_date")]:
            if bool(data.get(f"{name}_date")) != bool(data.get(f"{name}_time")) and not self.errors.get(f"{name}_time"):
                missing = f"{name}_time" if data.get(f"{name}_date") else f"{name}_date"
                self.add_error(missing, "Enter both the date and the time")
        return data


def _pair(name: str, what: str, required: bool = True) -> dict[str, forms.Field]:
    return {
        f"{name}_date": _day(f"Date {what}", f"the date {what}", required),
        f"{name}_time": _clock(f"Time {what}", f"the time {what}", required),
    }


def _form(name: str, fields: dict[str, forms.Field]) -> type[ProtectionForm]:
    return type(name, (ProtectionForm,), dict(fields))


TakeForm = _form(
    "TakeForm",
    {
        **_pair("started_at", "taken into police protection"),
        "grounds": _text(
            "Grounds", "the grounds", hint="Why the child would otherwise be likely to suffer significant harm"
        ),
        "place_of_safety": forms.CharField(
            label="Place of safety", max_length=300, error_messages={_REQUIRED: "Enter where the child was taken"}
        ),
        "place_is_police_station": forms.BooleanField(
            label="The place of safety is a police station (only as a last resort)", required=False
        ),
    },
)


class DesignateForm(ProtectionForm):
    designated_officer = forms.TypedChoiceField(
        label="Designated officer",
        coerce=int,
        help_text="An inspector who did not take the child into police protection (s46(3)(e))",
        error_messages={
            _REQUIRED: "Select the designated officer",
            "invalid_choice": "Select an officer from the list",
        },
    )
    at_date = _day("Date designated", "the date designated")
    at_time = _clock("Time designated", "the time designated")

    def __init__(self, *args: Any, officers: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["designated_officer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose an officer"), *(officers or [])]


NotifyForm = _form(
    "NotifyForm",
    {
        **_pair("csc_at", "children's social care was told", required=False),
        "csc_told": forms.CharField(label="Who in children's social care was told", required=False, max_length=200),
        **_pair("parents_at", "the parents were told", required=False),
    },
)
AccommodationForm = _form("AccommodationForm", _pair("at", "accommodation was requested"))
ProvidedForm = _form("ProvidedForm", _pair("at", "accommodation was provided"))
StrategyForm = _form("StrategyForm", _pair("at", "of the strategy discussion"))
EndForm = _form(
    "EndForm",
    {
        **_pair("ended_at", "police protection ended"),
        "end_rationale": _text(
            "Why police protection is ending",
            "why police protection is ending and where the child goes",
            required=False,
            hint="Where the child goes and why they are no longer likely to suffer significant harm",
        ),
    },
)

BookInForm = _form(
    "BookInForm",
    {
        **_pair("arrested_at", "of the arrest"),
        **_pair("arrived_at", "of arrival in custody"),
        **_pair("authorised_at", "detention was authorised"),
    },
)
AdultForm = _form(
    "AdultForm",
    {
        **_pair("requested_at", "the appropriate adult was requested", required=False),
        **_pair("arrived_at", "the appropriate adult arrived", required=False),
    },
)
HealthForm = _form("HealthForm", _pair("at", "seen by a healthcare professional"))
CustodyReviewForm = _form(
    "CustodyReviewForm",
    {
        **_pair("at", "of the review"),
        "child_present": forms.BooleanField(label="The child was present (or told of the review)", required=False),
    },
)
ChargeForm = _form(
    "ChargeForm",
    {
        **_pair("at", "charged"),
        "bail_refused": forms.BooleanField(label="Bail refused", required=False),
    },
)
TransferForm = _form("TransferForm", _pair("at", "the transfer was requested"))
AnswerForm = _form(
    "AnswerForm",
    {
        "outcome": forms.ChoiceField(
            label="Answer to the s38(6) request",
            choices=list(OUTCOMES.items()),
            widget=forms.RadioSelect,
            error_messages={_REQUIRED: "Select the answer to the transfer request"},
        ),
        **_pair("at", "answered"),
    },
)
CertificateForm = _form(
    "CertificateForm",
    {
        "certificate_reason": _text(
            "Reason the child stays in custody (s38(7) certificate)",
            "why transfer was impracticable or secure accommodation unavailable",
            required=False,
        )
    },
)
ReleaseForm = _form("ReleaseForm", _pair("at", "the child left custody"))
EscalateForm = _form(
    "EscalateForm",
    {
        "reason": _text(
            "What you ask children's social care to do, and why",
            "what you ask children's social care to do, and why",
            required=False,
        )
    },
)
