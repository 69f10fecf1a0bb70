"""The partnership escalation forms: raise one (to which agency, and why) and answer one (the
outcome and what the agency will do). The rules are the service's (`work.escalations`): a form
checks what a person can fix before sending, the service refuses anything else with the field."""

from __future__ import annotations

from typing import Any

from django import forms

from safetynet.access.roles import AgencyCode
from safetynet.web.forms import GovukFormMixin
from safetynet.work.escalations import ANSWER_MIN_CHARACTERS, REASON_MIN_CHARACTERS
from safetynet.work.models import NotificationPreference, PartnershipEscalation


class RaiseEscalationForm(GovukFormMixin, forms.Form):
    owner_agency = forms.ChoiceField(
        label="Which agency must answer?",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the agency that must answer the escalation",
            "invalid_choice": "Select the agency that must answer the escalation",
        },
    )
    reason = forms.CharField(
        label="What are you asking them to do, and why?",
        help_text=f"At least {REASON_MIN_CHARACTERS} characters. Write about the child's circumstances and the "
        "work that is not being done, not the child's choices",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        error_messages={
            "required": "Enter what you are asking the agency to do, and why",
            "max_length": "The reason must be 4,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, own_agency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c, label) for c, label in AgencyCode.choices if c != own_agency]
        self.style_widgets()


class AnswerEscalationForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Your agency's answer",
        choices=PartnershipEscalation.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether your agency agrees",
            "invalid_choice": "Select whether your agency agrees",
        },
    )
    answer = forms.CharField(
        label="What will your agency do, or why not?",
        help_text=f"At least {ANSWER_MIN_CHARACTERS} characters",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        error_messages={
            "required": "Enter what your agency will do, or why not",
            "max_length": "The answer must be 4,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class EscalationFilterForm(forms.Form):
    show = forms.ChoiceField(choices=[], required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["show"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class NotificationEmailForm(GovukFormMixin, forms.Form):
    email = forms.ChoiceField(
        label="Email me",
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
        help_text="Emails say what happened and link here; they never name a child",
        error_messages={
            "required": "Select how you want notifications by email",
            "invalid_choice": "Select how you want notifications by email",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
