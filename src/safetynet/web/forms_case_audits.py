"""The case file audit's forms. They check what a person can fix before sending; the services
(`oversight.audits`) refuse anything else naming the field, and the view shows it beside that
field. The grading form has one question per criterion of the case's area, from the criteria
file in force."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from safetynet.oversight.audits import SAMPLE_MAX
from safetynet.oversight.criteria import ANSWERS, Area, AuditCriteria
from safetynet.web.forms import GovukFormMixin
from safetynet.web.forms_meetings import _date, _text

_REQUIRED = "required"
CRITERION_PREFIX = "criterion_"


class DrawForm(GovukFormMixin, forms.Form):
    area = forms.ChoiceField(label="Area of practice", error_messages={_REQUIRED: "Select the area of practice"})
    period_from = _date("Records from", "the first day of the period")
    period_to = _date("Records to", "the last day of the period")
    size = forms.IntegerField(
        label="Number of cases",
        min_value=1,
        max_value=SAMPLE_MAX,
        help_text=f"From 1 to {SAMPLE_MAX}, drawn at random, one case per child",
        widget=forms.NumberInput(attrs={"data-extra-class": "govuk-input--width-3"}),
        error_messages={
            _REQUIRED: "Enter the number of cases",
            "invalid": "Enter the number of cases as a whole number",
            "min_value": f"Enter a number of cases from 1 to {SAMPLE_MAX}",
            "max_value": f"Enter a number of cases from 1 to {SAMPLE_MAX}",
        },
    )

    def __init__(self, *args: Any, criteria: AuditCriteria, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            (code, area.title) for code, area in criteria.areas.items()
        ]
        self.style_widgets()


class GradeForm(GovukFormMixin, forms.Form):
    grade = forms.ChoiceField(
        label="Grade",
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select the grade", "invalid_choice": "Select a grade on the scale"},
    )
    note = _text("Note (optional)", "a note", required=False, hint="What the grade rests on. No names.")

    def __init__(self, *args: Any, criteria: AuditCriteria, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["grade"]).choices = list(criteria.grades.items())
        for criterion in area.criteria:
            self.fields[CRITERION_PREFIX + criterion.id] = forms.ChoiceField(
                label=criterion.text + (" (key criterion)" if criterion.key else ""),
                choices=list(ANSWERS.items()),
                widget=forms.RadioSelect,
                error_messages={_REQUIRED: "Answer this criterion: met, not met or not applicable"},
            )
        self.criterion_names = [CRITERION_PREFIX + c.id for c in area.criteria]
        # The grade last, after the criteria it rests on.
        self.order_fields([*self.criterion_names, "grade", "note"])
        self.style_widgets()

    def answers(self) -> dict[str, str]:
        return {name.removeprefix(CRITERION_PREFIX): self.cleaned_data[name] for name in self.criterion_names}

    def criterion_fields(self) -> list[Any]:
        return [self[name] for name in self.criterion_names]


class CorrectionForm(GradeForm):
    """A correction of the viewer's side's grade: every criterion and the grade again, and why."""

    reason = _text(
        "Why the grade is corrected",
        "why the grade is corrected",
        rows=3,
        hint="At least 10 characters. The earlier grade is kept and shown as corrected. No names.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([*self.criterion_names, "grade", "reason", "note"])
        self.style_widgets()


class ActionForm(GovukFormMixin, forms.Form):
    text = _text("What is to be done", "what is to be done", rows=3, hint="The owner reads this on their task.")
    owner_role = forms.ChoiceField(label="Owner", error_messages={_REQUIRED: "Select who owns the action"})
    due = _date("Due by", "the date it is due by")

    def __init__(self, *args: Any, owner_roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner_role"]).choices = [("", "Choose a role"), *owner_roles]
        self.style_widgets()
