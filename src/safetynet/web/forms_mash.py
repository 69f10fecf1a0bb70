"""The MASH workspace's forms: raise a referral (ARTHUR, DASH), triage (grade, what each system
held, a rationale below the minimum) and the decision. They check what a person can fix before
sending; the services (`mash.services`, `mash.triage`) refuse anything else with the field."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from safetynet.mash import grading
from safetynet.mash.services import DECISIONS, FORWARD_TO
from safetynet.web.forms import GovukFormMixin
from safetynet.web.forms_meetings import _date, _text, _time, _when

_REQUIRED = "required"
YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, required=False)


class RaiseForm(GovukFormMixin, forms.Form):
    child = forms.TypedChoiceField(
        label="Which child is the referral about?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select the child the referral is about", "invalid_choice": "Select the child"},
    )
    concern = forms.MultipleChoiceField(
        label="Concerns",
        choices=list(grading.CONCERNS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={_REQUIRED: "Select at least one concern", "invalid_choice": "Select concerns from the list"},
    )
    what_happened = _text(
        "What happened",
        "what happened",
        rows=5,
        hint="In your words. Language that blames the child is marked as you type.",
    )
    children_present = _yes_no("A: Are there children present?")
    review_risk = _text(
        "R: Review the risk", "", rows=3, required=False, hint="What risks to the child did you see or hear?"
    )
    spoke_to_child = _yes_no("T: Did you take time to speak to the child?")
    how_they_appear = _text("H: How do they appear?", "", rows=2, required=False, hint="Their demeanour.")
    wishes_feelings = _text("U: Understand their wishes and feelings", "", rows=2, required=False)
    child_words = _text(
        "R: Record it: the child's words", "", rows=3, required=False, hint="What the child said, in their words."
    )
    ethnicity = forms.CharField(
        label="Ethnicity and cultural heritage (as the child or family define it)", required=False, max_length=200
    )
    bwv_reference = forms.CharField(label="Body-worn video reference", required=False, max_length=80)
    dash_yes = forms.CharField(
        label="DASH: the questions answered yes",
        required=False,
        max_length=200,
        help_text=(
            "For domestic abuse: the numbers of the DASH questions answered yes (1 to 27), separated by "
            "commas. Leave blank if DASH was not completed."
        ),
    )
    from_event = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = children  # type: ignore[attr-defined]

    def clean_dash_yes(self) -> dict[str, bool] | None:
        raw = str(self.cleaned_data.get("dash_yes") or "").strip()
        if not raw:
            return None
        numbers = [n for n in re.split(r"[\s,]+", raw) if n]
        if not all(n.isdigit() and 1 <= int(n) <= grading.DASH_QUESTIONS for n in numbers):
            raise forms.ValidationError("Enter the DASH question numbers answered yes, from 1 to 27, like 1, 4, 12")
        yes = {int(n) for n in numbers}
        return {str(q): q in yes for q in range(1, grading.DASH_QUESTIONS + 1)}

    def arthur(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {
            k: data.get(k) for k in ("review_risk", "how_they_appear", "wishes_feelings", "child_words")
        }
        for key in ("children_present", "spoke_to_child"):
            if data.get(key):
                out[key] = data[key] == "yes"
        return out


class TriageForm(GovukFormMixin, forms.Form):
    grade = forms.ChoiceField(
        label="Grade",
        choices=list(grading.GRADES.items()),
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select a grade", "invalid_choice": "Select a grade on the scale"},
    )
    rationale = _text(
        "Rationale for a grade below the policy's minimum",
        "",
        rows=3,
        required=False,
        hint="Needed only to grade below the minimum shown above.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for system, label in grading.SYSTEMS.items():
            self.fields[f"found_{system}"] = _text(
                f"{label}: what it held",
                "",
                rows=2,
                required=False,
                hint="Leave blank if you did not research this system. Write 'Nothing held' if it held nothing.",
            )

    def research(self) -> list[tuple[str, str]]:
        return [
            (system, str(self.cleaned_data.get(f"found_{system}") or "").strip())
            for system in grading.SYSTEMS
            if str(self.cleaned_data.get(f"found_{system}") or "").strip()
        ]

    def research_fields(self) -> list[Any]:
        return [self[f"found_{system}"] for system in grading.SYSTEMS]


class DecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=list(DECISIONS.items()),
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select a decision", "invalid_choice": "Select a decision"},
    )
    forward_to = forms.ChoiceField(
        label="Forward to", choices=list(FORWARD_TO.items()), widget=forms.RadioSelect, required=False
    )
    rationale = _text("Rationale", "", rows=3, required=False, hint="Required for no further action.")
    day = _date("Strategy discussion date", "the date of the strategy discussion")
    time = _time("Strategy discussion time", "the time of the strategy discussion")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].required = False
        self.fields["time"].required = False

    def strategy_at(self) -> Any:
        day, time = self.cleaned_data.get("day"), self.cleaned_data.get("time")
        return _when(day, time) if day and time else None
