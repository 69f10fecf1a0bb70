"""The missing workspace's forms for a child's trigger plan, Philomena profile or FARP, the care
home's own initial enquiries (Philomena), and a child not on record reported missing. They check
what a person can fix before sending; the services refuse anything else with the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from safetynet.missing.plans import PLAN_LABELS
from safetynet.missing.services import HOME_CHECK_LABELS
from safetynet.web.forms import GovukFormMixin
from safetynet.web.forms_meetings import _date, _text, _time, _when
from safetynet.web.forms_missing import VersionedForm

_REQUIRED = "required"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


class PlanForm(VersionedForm):
    plan_type = forms.ChoiceField(
        label="Type of plan",
        choices=list(PLAN_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select the type of plan"},
    )
    review_due = _date("Review date", "the date the plan is next reviewed")
    description = _text(
        "Description of the child", "the child's description", rows=3, hint="Build, height, hair, clothing, marks"
    )
    photo_reference = forms.CharField(
        label="Photograph reference",
        required=False,
        max_length=120,
        help_text="Where the current photograph is held (a reference, not the image)",
    )
    phones = _text("Phone numbers", "the phone numbers", rows=2, required=False, hint="One a line")
    risks = _text("Risks when missing", "the risks to the child when missing", rows=3)
    content = _text("What to do if the child goes missing", "what to do", rows=4, required=False)
    associates = forms.TypedMultipleChoiceField(
        label="Associates", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    places = forms.MultipleChoiceField(label="Places on record", required=False, widget=forms.CheckboxSelectMultiple)
    addresses = _text("Other places", "other places", rows=2, required=False, hint="One address a line")

    def set_choices(self, people: list[tuple[int, str]], places: list[tuple[str, str]]) -> None:
        associates, where = self.fields["associates"], self.fields["places"]
        assert isinstance(associates, forms.TypedMultipleChoiceField)
        assert isinstance(where, forms.MultipleChoiceField)
        associates.choices = people
        where.choices = places

    def given_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        places = []
        for key in data["places"]:
            source, _, sid = key.partition("|")
            places.append({"source": source, "id": sid})
        return {
            "plan_type": data["plan_type"],
            "review_due": data["review_due"],
            "description": data["description"],
            "risks": data["risks"],
            "content": data["content"],
            "photo_reference": data["photo_reference"],
            "phones": _lines(data["phones"]),
            "associates": list(data["associates"]),
            "places": places,
            "addresses": _lines(data["addresses"]),
        }


class HomeEnquiriesForm(VersionedForm):
    made_date = _date("Date of the enquiries", "the date the enquiries were made")
    made_time = _time("Time of the enquiries", "the time the enquiries were made")
    checks = forms.MultipleChoiceField(
        label="What the home did",
        choices=list(HOME_CHECK_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={_REQUIRED: "Select what the home did"},
    )
    made_by = forms.CharField(
        label="Who made them", max_length=200, error_messages={_REQUIRED: "Enter who at the home made the enquiries"}
    )
    findings = _text("What they found", "what the enquiries found", rows=3)

    def made_at(self) -> dt.datetime:
        return _when(self.cleaned_data["made_date"], self.cleaned_data["made_time"])


class NewChildForm(GovukFormMixin, forms.Form):
    given_names = forms.CharField(
        label="Given names", max_length=100, error_messages={_REQUIRED: "Enter the child's given names"}
    )
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages={_REQUIRED: "Enter the child's family name"}
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave blank if not known",
        error_messages={"invalid": "Enter the date of birth as a real date, like 9 March 2012"},
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=[("unknown", "Not known"), ("female", "Female"), ("male", "Male"), ("other", "Other")],
        widget=forms.RadioSelect,
        initial="unknown",
        error_messages={_REQUIRED: "Select the child's sex, or not known"},
    )
    address = forms.CharField(label="Home address", required=False, max_length=300, help_text="If known")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
