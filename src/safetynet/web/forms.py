"""GOV.UK Frontend styling for Django forms, and the web app's own forms.

Every form validates on the server; the page then shows the GOV.UK error summary linking to
each field and an inline message, and re-renders what was typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from safetynet.access.roles import AgencyCode
from safetynet.audit.models import Action
from safetynet.reads.audit_log import resolve_person_ref
from safetynet.reads.labels import label
from safetynet.reads.person import PERIODS, SAFETYNET_AGENCY, SAFETYNET_AGENCY_NAME
from safetynet.reads.search import normalise_postcode, read_date_of_birth
from safetynet.reads.work_queue import (
    DUE_CHOICES,
    MAX_PAGE_SIZE,
    ORDER_CHOICES,
    PAGE_SIZE,
    SEVERITY_CHOICES,
    SHOW_CHOICES,
    SORT_CHOICES,
    QueueQuery,
    clause_choices,
)
from safetynet.records.models import Event
from safetynet.risk.areas import area_choices
from safetynet.risk.policy import current_policy
from safetynet.work.services import RATIONALE_REQUIRED, rationale_problems

_WIDGET_CLASS: dict[type[forms.Widget], str] = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.DateInput: "govuk-input",
}


class GovukFormMixin:
    """Adds GOV.UK classes (and error classes once bound and invalid) to every widget."""

    fields: dict[str, forms.Field]

    def style_widgets(self) -> None:
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():
            base = next((cls for kind, cls in _WIDGET_CLASS.items() if isinstance(field.widget, kind)), "govuk-input")
            classes = [base, *field.widget.attrs.get("data-extra-class", "").split()]
            if name in errors:
                classes.append(f"{base}--error")
            field.widget.attrs["class"] = " ".join(c for c in classes if c)
            if name in errors:
                field.widget.attrs["aria-describedby"] = f"{name}-error"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.style_widgets()


def _date_field(label: str, example: str, note: str = "") -> forms.DateField:
    """An optional date ("From", "To") with a GOV.UK hint and an error naming the field."""
    return forms.DateField(
        label=label,
        required=False,
        help_text=f"For example, {example}{note}",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": f"Enter the {label.lower()} date as a real date, like {example}"},
    )


def _check_date_range(form: forms.Form, data: dict[str, Any]) -> dict[str, Any]:
    """A `date_to` before `date_from` is an error on `date_to`."""
    start, end = data.get("date_from"), data.get("date_to")
    if start and end and start > end:
        form.add_error("date_to", "The to date must be the same as or after the from date")
    return data


class LoginForm(GovukFormMixin, AuthenticationForm):
    """Django's sign-in form with GOV.UK messages."""

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account cannot sign in",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.style_widgets()


class ChronologyFilterForm(GovukFormMixin, forms.Form):
    """Filter a person's chronology by event type, agency and period (the query string of the
    page, so the address, a bookmark and Back keep the filter)."""

    type = forms.MultipleChoiceField(
        label="Event type",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    agency = forms.MultipleChoiceField(
        label="Agency",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    period = forms.ChoiceField(
        label="Period",
        required=False,
        choices=[("", "Any time"), *((code, words) for code, (words, _days) in PERIODS.items())],
        error_messages={"invalid_choice": "Choose a period from the list"},
    )
    date_from = _date_field("From", "2025-03-27")
    date_to = _date_field("To", "2026-01-31")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field, agency_field = self.fields["type"], self.fields["agency"]
        assert isinstance(type_field, forms.MultipleChoiceField)
        assert isinstance(agency_field, forms.MultipleChoiceField)
        type_field.choices = [(code, label(code)) for code in Event.EventType.values]  # sentence case
        agency_field.choices = [*AgencyCode.choices, (SAFETYNET_AGENCY, SAFETYNET_AGENCY_NAME)]
        self.fields["type"].error_messages["invalid_choice"] = "Choose event types from the list"
        self.fields["agency"].error_messages["invalid_choice"] = "Choose agencies from the list"
        self.style_widgets()

    def clean(self) -> dict[str, Any]:
        data = _check_date_range(self, super().clean() or {})
        if data.get("period") and (data.get("date_from") or data.get("date_to")):
            self.add_error("period", "Choose a period or enter dates, not both")
        return data

    def style_widgets(self) -> None:
        super().style_widgets()
        self.fields["type"].widget.attrs["class"] = "govuk-checkboxes__input"
        self.fields["agency"].widget.attrs["class"] = "govuk-checkboxes__input"
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["class"] += " govuk-input--width-10"


class SearchForm(GovukFormMixin, forms.Form):
    """Find a person by name, date of birth, identifier or postcode (at least one)."""

    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="Full or part name; spelling mistakes and nicknames are allowed",
    )
    date_of_birth = forms.CharField(
        label="Date of birth",
        required=False,
        help_text="For example, 27/03/2011, or 03/2011 or 2011 if you only know part of it",
    )
    identifier = forms.CharField(
        label="Identifier",
        required=False,
        max_length=40,
        help_text="PNC ID, NHS number, UPN or social care ID",
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "identifier", "postcode"):
            self.fields[name].widget.attrs["spellcheck"] = "false"
        self.fields["date_of_birth"].widget.attrs["data-extra-class"] = "govuk-input--width-10"
        self.fields["postcode"].widget.attrs["data-extra-class"] = "govuk-input--width-10"
        self.fields["identifier"].widget.attrs["data-extra-class"] = "govuk-input--width-20"
        self.style_widgets()

    def clean_date_of_birth(self) -> str:
        try:
            return read_date_of_birth(self.cleaned_data.get("date_of_birth") or "")
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from None

    def clean_postcode(self) -> str:
        return normalise_postcode(self.cleaned_data.get("postcode") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(str(data.get(k) or "").strip() for k in self.fields):
            self.add_error("name", "Enter a name, date of birth, identifier or postcode")
        return data


class IdentityDecisionForm(GovukFormMixin, forms.Form):
    """A reviewer's decision on two source records: the same person or not, and why."""

    same = forms.ChoiceField(
        label="Are these records about the same person?",
        choices=[("yes", "Yes, the same person"), ("no", "No, not the same person")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether these records are about the same person"},
    )
    reason = forms.CharField(
        label="Why",
        help_text="What you checked, for example a date of birth confirmed with the school",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why you decided this",
            "max_length": "Why must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_reason(self) -> str:
        value = (self.cleaned_data.get("reason") or "").strip()
        if not value:
            raise forms.ValidationError("Enter why you decided this")
        return value


class ResolveTaskForm(GovukFormMixin, forms.Form):
    """Resolve a task: a written rationale, checked for language that blames the child."""

    rationale = forms.CharField(
        label="Rationale",
        help_text="What was done or decided and why it is enough; write about the child's circumstances, "
        "not their choices",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        strip=False,
        error_messages={
            "required": RATIONALE_REQUIRED,
            "max_length": "The rationale must be 4,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flagged: list[Any] = []  # the language check's matches, for the page to explain
        self.style_widgets()

    def clean_rationale(self) -> str:
        text: str = self.cleaned_data.get("rationale") or ""
        problems, self.flagged = rationale_problems(text, current_policy())
        if problems:
            raise forms.ValidationError(problems)
        return text.strip()


class AssignTaskForm(GovukFormMixin, forms.Form):
    """Give a task to a member of your team, or to a team (the choices are the people who may
    take it and the teams it may be given to: your agency's and partners' the matrix allows)."""

    assignee = forms.ChoiceField(
        label="Assign to",
        choices=[],
        required=False,
        error_messages={"invalid_choice": "Select a member of your team from the list"},
    )
    team = forms.ChoiceField(
        label="Give to a team",
        choices=[],
        required=False,
        error_messages={"invalid_choice": "Select a team from the list"},
    )

    def __init__(
        self,
        *args: Any,
        members: list[tuple[str, str]] | None = None,
        teams: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, empty, choices in (("assignee", "Choose a person", members), ("team", "Choose a team", teams)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", empty), *(choices or [])]
        self.style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("assignee") and not data.get("team"):
            self.add_error("assignee", "Select who to assign this task to")
        return data


class WorkFilterForm(GovukFormMixin, forms.Form):
    """My work's tab, filters, sort and page: the page's query string (the API reads the same
    names: `api.inputs.WorkQuery`). A value that is not offered is an error on its field; the
    list is then shown with that field's default."""

    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Choose all, mine, team, role or overdue"},
    )
    clause = forms.MultipleChoiceField(
        label="Clause", required=False, choices=[], error_messages={"invalid_choice": "Choose clauses from the list"}
    )
    severity = forms.MultipleChoiceField(
        label="Severity",
        required=False,
        choices=SEVERITY_CHOICES,
        error_messages={"invalid_choice": "Choose critical, high, medium or low"},
    )
    due = forms.ChoiceField(
        label="Due",
        required=False,
        choices=[("", "Any time"), *DUE_CHOICES],
        error_messages={"invalid_choice": "Choose overdue, soon or later"},
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Choose an area from the list"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": "Sort by due, severity or clause"},
    )
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=ORDER_CHOICES,
        error_messages={"invalid_choice": "Choose the order asc or desc"},
    )
    page = forms.IntegerField(
        label="Page",
        required=False,
        min_value=1,
        max_value=99999,
        error_messages={"invalid": "Enter the page as a whole number, like 2", "min_value": "Pages start at 1"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show = self.fields["show"]
        assert isinstance(show, forms.ChoiceField)
        show.choices = SHOW_CHOICES
        clause = self.fields["clause"]
        assert isinstance(clause, forms.MultipleChoiceField)
        clause.choices = clause_choices()
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [("", "Any area"), *area_choices()]
        self.style_widgets()

    def clean_show(self) -> str:
        return self.cleaned_data.get("show") or "all"

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or "due"

    def clean_order(self) -> str:
        return self.cleaned_data.get("order") or "asc"

    def query(self, per_page: int = PAGE_SIZE) -> QueueQuery:
        """What was asked, each field that failed its check left at its default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else getattr(self, "cleaned_data", {})
        return QueueQuery(
            show=data.get("show") or "all",
            clauses=tuple(data.get("clause") or ()),
            severities=tuple(data.get("severity") or ()),
            due=data.get("due") or "",
            area=data.get("area") or "",
            sort=data.get("sort") or "due",
            order=data.get("order") or "asc",
            page=data.get("page") or 1,
            per_page=per_page,
        )


class BulkAssignForm(GovukFormMixin, forms.Form):
    """A supervisor gives the tasks ticked on My work to a person of their team or to a team."""

    task = forms.TypedMultipleChoiceField(
        label="Tasks",
        coerce=int,
        choices=[],
        error_messages={"required": "Select the tasks to assign", "invalid_choice": "Select tasks from the list"},
    )
    assignee = forms.ChoiceField(
        label="Assign to a person",
        choices=[],
        required=False,
        error_messages={"invalid_choice": "Select a member of your team from the list"},
    )
    team = forms.ChoiceField(
        label="Or give to a team",
        choices=[],
        required=False,
        error_messages={"invalid_choice": "Select a team from the list"},
    )

    def __init__(
        self,
        *args: Any,
        members: list[tuple[str, str]] | None = None,
        teams: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, empty, choices in (("assignee", "Choose a person", members), ("team", "Choose a team", teams)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", empty), *(choices or [])]
        self.style_widgets()

    def full_clean(self) -> None:
        # Any task id is a choice here; whether the user may open and assign it is checked per task.
        field = self.fields["task"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, v) for v in (self.data.getlist("task") if hasattr(self.data, "getlist") else [])]
        super().full_clean()

    def clean_task(self) -> list[int]:
        ids = list(dict.fromkeys(self.cleaned_data.get("task") or []))
        if len(ids) > MAX_PAGE_SIZE:
            raise forms.ValidationError(f"Select at most {MAX_PAGE_SIZE} tasks at a time")
        return ids

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "assignee" not in self.errors and "team" not in self.errors:
            if not data.get("assignee") and not data.get("team"):
                self.add_error("assignee", "Select a person or a team to assign the tasks to")
            elif data.get("assignee") and data.get("team"):
                self.add_error("team", "Select a person or a team, not both")
        return data


def _person_ref(raw: str) -> tuple[int | None, int | None]:
    try:
        return resolve_person_ref(raw)
    except ValueError:
        raise forms.ValidationError(
            "Enter an individual number, like 42, or a source record, like rms:P1, that is stored"
        ) from None


class AuditFilterForm(GovukFormMixin, forms.Form):
    """Filter the access log: who, what action, which child, which days (all optional)."""

    who = forms.CharField(
        label="Who",
        required=False,
        max_length=150,
        help_text="Part of a username",
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[])
    person = forms.CharField(
        label="Child",
        required=False,
        max_length=80,
        help_text="An individual number, like 42, or a source record, like rms:P1",
    )
    date_from = _date_field("From", "2026-03-01", " (UTC)")
    date_to = _date_field("To", "2026-03-31", " (UTC)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [("", "Any action"), *[(value, f"{value} ({text})") for value, text in Action.choices]]
        action_field.error_messages["invalid_choice"] = "Choose an action from the list"
        self.fields["who"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        self.fields["person"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        self.style_widgets()

    def clean_person(self) -> tuple[int | None, int | None] | None:
        raw = self.cleaned_data.get("person", "").strip()
        return _person_ref(raw) if raw else None

    def clean(self) -> dict[str, Any]:
        return _check_date_range(self, super().clean() or {})

    def style_widgets(self) -> None:
        super().style_widgets()
        for name in ("date_from", "date_to", "person"):
            self.fields[name].widget.attrs["class"] += " govuk-input--width-10"
        self.fields["who"].widget.attrs["class"] += " govuk-input--width-20"


class AuditPersonForm(GovukFormMixin, forms.Form):
    """Which child's access history to report: an individual number or SOURCE:ID."""

    person = forms.CharField(
        label="Child",
        max_length=80,
        help_text="An individual number, like 42, or a source record, like rms:P1",
        error_messages={"required": "Enter an individual number or a source record"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        self.style_widgets()

    def clean_person(self) -> tuple[int | None, int | None]:
        return _person_ref(self.cleaned_data.get("person", ""))

    def style_widgets(self) -> None:
        super().style_widgets()
        self.fields["person"].widget.attrs["class"] += " govuk-input--width-10"
