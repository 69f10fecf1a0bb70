"""The `choice_input` filter writes each checkbox and radio exactly as Django's widget template
does, so forms look and submit the same (the filter only saves rendering a template per choice)."""

from __future__ import annotations

from django import forms

from safetynet.web.forms import ChronologyFilterForm
from safetynet.web.templatetags.sn import choice_input


class _Form(forms.Form):
    picks = forms.MultipleChoiceField(
        choices=[("a", "A & B"), ("b", 'Say "b"')], widget=forms.CheckboxSelectMultiple, required=False
    )
    one = forms.ChoiceField(choices=[("x", "X"), ("y<", "Y")], widget=forms.RadioSelect)


def test_every_choice_is_written_as_djangos_own_widget_writes_it() -> None:
    form = _Form(data={"picks": ["b"], "one": "y<"})
    form.is_valid()
    for name in ("picks", "one"):
        for choice in form[name]:
            assert str(choice_input(choice)) == str(choice.tag())


def test_the_chronology_filters_checkboxes_are_unchanged_ticked_or_not() -> None:
    form = ChronologyFilterForm(data={"type": ["incident"], "agency": []})
    form.is_valid()
    rendered = [(str(choice_input(c)), str(c.tag())) for c in form["type"]]
    assert rendered and all(mine == django for mine, django in rendered)
    assert any(" checked" in mine for mine, _ in rendered)
