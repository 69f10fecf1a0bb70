"""GOV.UK Frontend styling for Django forms, and the web app's own forms.

Every form validates on the server; the page then shows the GOV.UK error summary linking to
each field and an inline message, and re-renders what was typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

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
