"""The missing workspace's forms. They check what a person can fix before sending; the services
(`missing.services`, `missing.returns`) refuse anything else with the field, and the view shows
it beside that field. Each change form carries the episode's version it was made on, so a
second editor is told instead of overwriting the first."""

from __future__ import annotations

import datetime as dt

from django import forms

from safetynet.missing.services import MISSING_FROM
from safetynet.risk.rules.missing import GRADES
from safetynet.web.forms import GovukFormMixin
from safetynet.web.forms_meetings import _date, _text, _time, _when

_REQUIRED = "required"
GRADE_LABELS = {"very_low": "Very low", "low": "Low", "medium": "Medium", "high": "High"}
FROM_LABELS = {
    "home": "Home",
    "care": "Care (a children's home or foster placement)",
    "school": "School",
    "other": "Other",
}
ETHNICITY = (
    [("", "Choose the child's own description")]
    + [(f"{group}{n}", f"{group}{n}") for group in "WMABO" for n in range(1, 10) if not (group != "W" and n > 5)]
    + [("NS", "NS - not stated (the child was not asked or would not say)")]
)
THRIVE_LABELS = {
    "threat": "Threat",
    "harm": "Harm",
    "risk": "Risk",
    "investigation": "Investigation",
    "vulnerability": "Vulnerability",
    "engagement": "Engagement",
}


def _grade() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Risk grade",
        choices=[(g, GRADE_LABELS[g]) for g in GRADES],
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select the risk grade", "invalid_choice": "Select a grade on the scale"},
    )


def _rationale(hint: str) -> forms.CharField:
    field = _text("Rationale", "the rationale", required=False, hint=hint)
    field.widget.attrs.update(
        {
            "hx-post": "",
            "hx-trigger": "keyup changed delay:600ms",
            "hx-target": "#language-check",
            "hx-swap": "outerHTML",
        }
    )
    return field


class VersionedForm(GovukFormMixin, forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class ReportForm(GovukFormMixin, forms.Form):
    last_seen_date = _date("Date last seen", "the date the child was last seen")
    last_seen_time = _time("Time last seen", "the time the child was last seen")
    last_seen_place = forms.CharField(label="Where last seen", required=False, max_length=300)
    missing_from = forms.ChoiceField(
        label="Missing from",
        choices=[(v, FROM_LABELS[v]) for v in MISSING_FROM],
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select where the child is missing from"},
    )
    care_home = forms.TypedChoiceField(
        label="Children's home",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Missing from care: the home the child is missing from",
    )
    reported_by = forms.CharField(
        label="Who reports", max_length=200, error_messages={_REQUIRED: "Enter who reported the child missing"}
    )
    circumstances = _text("Circumstances", "the circumstances")
    description = _text(
        "Description", "a description", rows=2, required=False, hint="Clothing, build, anything distinctive"
    )
    ethnicity_self_defined = forms.ChoiceField(
        label="Ethnicity and cultural heritage (self-defined)",
        choices=ETHNICITY,
        help_text="Ask on every report: how the child describes themselves (census codes).",
        error_messages={_REQUIRED: "Select the child's own description of their ethnicity, or NS"},
    )
    risk = _grade()
    rationale = _rationale("Needed for a grade below the floor: a sergeant or above writes why.")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key, label in THRIVE_LABELS.items():
            self.fields[f"thrive_{key}"] = _text(f"THRIVE: {label}", label.lower(), rows=2, required=False)
        self.style_widgets()

    def set_homes(self, homes: list[tuple[int, str]]) -> None:
        field = self.fields["care_home"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Not a children's home"), *homes]

    def thrive(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(f"thrive_{k}") or "" for k in THRIVE_LABELS}

    def last_seen(self) -> dt.datetime:
        return _when(self.cleaned_data["last_seen_date"], self.cleaned_data["last_seen_time"])


class ReviewForm(VersionedForm):
    risk = _grade()
    rationale = _rationale("Why this grade; below the floor, why it is safe to grade lower.")


class OfficerForm(VersionedForm):
    officer = forms.CharField(
        label="Officer in charge", max_length=120, error_messages={_REQUIRED: "Enter the officer in charge"}
    )


class LineForm(VersionedForm):
    text = forms.CharField(
        label="Line of enquiry", max_length=4000, error_messages={_REQUIRED: "Enter what is to be done"}
    )
    address = forms.CharField(
        label="Address", required=False, max_length=300, help_text="The address to check, if the line is about a place"
    )
    individual = forms.IntegerField(required=False, widget=forms.HiddenInput)
    location_source = forms.CharField(required=False, widget=forms.HiddenInput)
    location_id = forms.CharField(required=False, widget=forms.HiddenInput)
    proposed_from = forms.CharField(required=False, widget=forms.HiddenInput)


class LineDoneForm(VersionedForm):
    outcome = forms.CharField(
        label="Outcome", max_length=4000, error_messages={_REQUIRED: "Enter what the enquiry found"}
    )


class FoundForm(VersionedForm):
    found_date = _date("Date found", "the date the child was found")
    found_time = _time("Time found", "the time the child was found")
    found_by = forms.CharField(
        label="Found by", max_length=200, error_messages={_REQUIRED: "Enter who found the child"}
    )
    place = forms.CharField(label="Where found", required=False, max_length=300)
    with_people = forms.TypedMultipleChoiceField(
        label="Who the child was with", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    returned_of_own_accord = forms.BooleanField(label="Returned of their own accord", required=False)
    prevention_interview = forms.BooleanField(label="Prevention interview done", required=False)
    referral = _text(
        "Safeguarding referral",
        "the safeguarding concern",
        required=False,
        hint="Required when the child was found with an adult who is not family or at a place of concern",
    )

    def set_people(self, choices: list[tuple[int, str]]) -> None:
        field = self.fields["with_people"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = choices

    def found_at(self) -> dt.datetime:
        return _when(self.cleaned_data["found_date"], self.cleaned_data["found_time"])


class InterviewForm(VersionedForm):
    interview_date = _date("Date of the interview", "the date of the interview")
    interview_time = _time("Time", "the time of the interview")
    outcome = _text("What the child said and what follows", "what the child said and what follows")
    declined = forms.BooleanField(label="Offered and declined", required=False)

    def completed_at(self) -> dt.datetime:
        return _when(self.cleaned_data["interview_date"], self.cleaned_data["interview_time"])
