"""The meetings workspace's forms. They check what a person can fix before sending; the
service (`meetings.services`) refuses anything else with the field, and the view shows it
beside that field. Lines of free text ("Name, Organisation") are read here into the interchange
shapes the service stores."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from safetynet.meetings.services import MEETING_TYPES, OUTCOME_MIN_CHARACTERS, REASON_MIN_CHARACTERS
from safetynet.web.forms import GovukFormMixin

_REQUIRED = "required"


def _when(day: dt.date, time: dt.time) -> dt.datetime:
    """A date and time typed in the force's time zone, as an aware datetime."""
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _date(label: str, what: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={_REQUIRED: f"Enter {what}", "invalid": f"Enter {what} as a real date, like 9 March 2027"},
    )


def _time(label: str, what: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={_REQUIRED: f"Enter {what}", "invalid": f"Enter {what} as a time, like 14:30"},
    )


def _text(label: str, what: str, *, rows: int = 4, required: bool = True, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={_REQUIRED: f"Enter {what}", "max_length": "Use 4,000 characters or fewer"},
    )


class ScheduleForm(GovukFormMixin, forms.Form):
    meeting_type = forms.ChoiceField(
        label="Type of meeting",
        choices=list(MEETING_TYPES.items()),
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select the type of meeting", "invalid_choice": "Select the type of meeting"},
    )
    day = _date("Date", "the date of the meeting")
    time = _time("Time", "the time of the meeting")
    # Who the meeting is about: a MARAC's victim (and perpetrator), a strategy discussion's
    # child; MACE, missing tasking and daily management agendas come from the whole picture.
    victim = forms.IntegerField(required=False, widget=forms.HiddenInput)
    perpetrator = forms.TypedChoiceField(
        label="Perpetrator", required=False, coerce=int, empty_value=None, widget=forms.RadioSelect
    )
    child = forms.IntegerField(required=False, widget=forms.HiddenInput)
    trigger = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, perpetrators: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["perpetrator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [*(perpetrators or []), ("", "Not known or not on record")]
        self.style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("meeting_type")
        if kind == "marac" and not data.get("victim"):
            self.add_error(None, "A MARAC is called from the victim's page: open their page and choose 'Call a MARAC'")
        if kind == "strategy_discussion" and not data.get("child"):
            self.add_error(
                None,
                "A strategy discussion is called from the child's page: open it, choose 'Call a strategy discussion'",
            )
        if data.get("day") and data.get("time"):
            data["at"] = _when(data["day"], data["time"])
        return data


class AgendaAddForm(GovukFormMixin, forms.Form):
    person = forms.CharField(
        label="Person to add",
        help_text="The address of their page in safetynet (for example /people/1234/) or its number",
        max_length=200,
        error_messages={_REQUIRED: "Enter the person's page address or number"},
    )
    reason = _text("Why are they on the agenda?", "why the person is on the agenda", rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_person(self) -> int:
        found = re.search(r"(\d+)", self.cleaned_data["person"])
        if found is None:
            raise forms.ValidationError("Enter the person's page address or number, like /people/1234/")
        return int(found.group(1))


class AgendaRemoveForm(GovukFormMixin, forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why take them off the agenda?",
        help_text=f"At least {REASON_MIN_CHARACTERS} characters",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={_REQUIRED: "Enter why the person is taken off the agenda"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


def _people(text: str, field: str) -> list[dict[str, str]]:
    """Lines of "Name, Organisation[, Role]" as interchange actors."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise forms.ValidationError(f"Line {n}: enter a name and an organisation separated by a comma")
        person = {"name": parts[0], "organisation": parts[1]}
        if len(parts) > 2 and parts[2]:
            person["role"] = ", ".join(parts[2:])
        out.append(person)
    return out


class RecordHeldForm(GovukFormMixin, forms.Form):
    day = _date("Date held", "the date the meeting was held")
    time = _time("Time", "the time the meeting started")
    attendees = _text(
        "Who attended",
        "who attended",
        rows=6,
        hint="One person a line: name, organisation, role. Include every agency present (probation, housing, "
        "IDVA and others), whether or not they use this system",
    )
    apologies = _text("Apologies", "apologies", rows=3, required=False, hint="One person a line: name, organisation")
    information_shared = _text(
        "Information shared",
        "information shared",
        rows=6,
        required=False,
        hint="One item a line: the organisation, a colon, then what it shared. Start a line with "
        "'police only:' for police information partners may not read",
    )
    decisions = _text("Decisions", "at least one decision", rows=5, hint="One decision a line")
    outcome = _text("Outcome", "the meeting's outcome", rows=4, hint=f"At least {OUTCOME_MIN_CHARACTERS} characters")
    # The service's field -> the form's field its refusal belongs to.
    service_fields = {"held_at": "day"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_attendees(self) -> list[dict[str, str]]:
        people = _people(self.cleaned_data["attendees"], "attendees")
        if not people:
            raise forms.ValidationError("Enter who attended: one person a line, name and organisation")
        return people

    def clean_apologies(self) -> list[dict[str, str]]:
        return _people(self.cleaned_data.get("apologies") or "", "apologies")

    def clean_information_shared(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for n, line in enumerate((self.cleaned_data.get("information_shared") or "").splitlines(), start=1):
            if not line.strip():
                continue
            police_only = line.strip().lower().startswith("police only:")
            body = line.strip()[len("police only:") :] if police_only else line
            org, sep, text = body.partition(":")
            if not sep or not org.strip() or not text.strip():
                raise forms.ValidationError(f"Line {n}: enter the organisation, a colon, then what it shared")
            item: dict[str, Any] = {"by": {"organisation": org.strip()}, "text": text.strip()}
            if police_only:
                item["police_only"] = True
            out.append(item)
        return out

    def clean_decisions(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["decisions"].splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("day") and data.get("time"):
            data["held_at"] = _when(data["day"], data["time"])
        return data


class ActionForm(GovukFormMixin, forms.Form):
    text = _text("What must be done", "what must be done", rows=3)
    owner = forms.ChoiceField(
        label="Owner",
        help_text="A person, or a team of an agency: the action goes to their queue",
        error_messages={_REQUIRED: "Select the action's owner", "invalid_choice": "Select the action's owner"},
    )
    about = forms.TypedChoiceField(
        label="Who is it for?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={_REQUIRED: "Select who the action is for", "invalid_choice": "Select who the action is for"},
    )
    due = _date("Due date", "the date the action is due")

    def __init__(self, *args: Any, owners: list[tuple[str, str]], people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        about = self.fields["about"]
        assert isinstance(owner, forms.ChoiceField) and isinstance(about, forms.ChoiceField)
        owner.choices = [("", "Choose an owner"), *owners]
        about.choices = people
        self.style_widgets()


class CompleteActionForm(GovukFormMixin, forms.Form):
    outcome = _text(
        "What was done, and its outcome",
        "what was done and its outcome",
        hint=f"At least {OUTCOME_MIN_CHARACTERS} characters",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class CancelForm(GovukFormMixin, forms.Form):
    reason = _text("Why is the meeting cancelled?", "why the meeting is cancelled", rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
