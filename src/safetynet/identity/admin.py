"""Identity in the Django admin, for administrators (the web app's review and compare screens
serve the people who decide pairs): the review queue (decide a pair with a reason, seeing the
waterfall), individuals with their linked records and each link's explanation, and the
history of changes (undo with a reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from safetynet.identity import services
from safetynet.identity.explain import explain_link
from safetynet.identity.models import Individual, LinkChange, Membership, PairDecision, ReviewPair


def _record(person: Any) -> str:
    parts = [person.given_names, person.family_name, person.date_of_birth, person.sex, person.postcode]
    ids = {k: v for k, v in (person.identifiers or {}).items() if v}
    return f"{person.source}:{person.source_id} — " + " · ".join(p for p in parts if p) + (f" · {ids}" if ids else "")


def _waterfall_html(a: int, b: int) -> str:
    try:
        explanation = explain_link(a, b)
    except ValidationError as exc:
        return format_html("<em>{}</em>", "; ".join(exc.messages))
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td style='text-align:right'>{}</td></tr>",
        ((c, level, f"{w:+.1f}") for c, level, w in explanation.waterfall),
    )
    decision = f"; reviewer decision: {explanation.decision}" if explanation.decision else ""
    return format_html(
        "<table><tr><th>comparison</th><th>level</th><th>weight</th></tr>{}"
        "<tr><th colspan=2>match weight (probability {})</th><th style='text-align:right'>{}</th></tr></table>{}",
        rows,
        f"{explanation.probability:.1%}",
        f"{explanation.match_weight:+.1f}",
        decision,
    )


class DecideForm(forms.ModelForm):
    verdict = forms.ChoiceField(
        choices=[("", "---"), ("same", "the same person"), ("not_same", "not the same person")], required=False
    )
    decision_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    class Meta:
        model = ReviewPair
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("verdict") and not (data.get("decision_reason") or "").strip():
            raise ValidationError("give a reason for the decision")
        return data


@admin.register(ReviewPair)
class ReviewPairAdmin(admin.ModelAdmin):
    form = DecideForm
    list_display = ("pk", "reason", "priority", "match_probability", "status", "created_at")
    list_filter = ("status", "reason")
    ordering = ("status", "-priority", "created_at")
    readonly_fields = ("record_a", "record_b", "explanation", "reason", "detail", "match_probability", "status")
    fields = ("record_a", "record_b", "explanation", "reason", "detail", "status", "verdict", "decision_reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an item leaves the queue by a decision (audited), never by deletion

    @admin.display(description="record A")
    def record_a(self, obj: ReviewPair) -> str:
        return _record(obj.person_a)

    @admin.display(description="record B")
    def record_b(self, obj: ReviewPair) -> str:
        return _record(obj.person_b)

    @admin.display(description="why (waterfall)")
    def explanation(self, obj: ReviewPair) -> str:
        return _waterfall_html(obj.person_a_id, obj.person_b_id)

    def save_model(self, request: HttpRequest, obj: ReviewPair, form: Any, change: bool) -> None:
        verdict = form.cleaned_data.get("verdict")
        if verdict:
            try:
                services.decide_pair(
                    obj, verdict == "same", acting_user=request.user, reason=form.cleaned_data["decision_reason"]
                )
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    can_delete = False
    fields = ("record", "method", "match_probability", "explanation")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="record")
    def record(self, obj: Membership) -> str:
        return _record(obj.person)

    @admin.display(description="link explanation (against the first record)")
    def explanation(self, obj: Membership) -> str:
        first = Membership.objects.filter(individual_id=obj.individual_id).order_by("person_id").first()
        if first is None or first.person_id == obj.person_id:
            return "—"
        return _waterfall_html(first.person_id, obj.person_id)


@admin.register(Individual)
class IndividualAdmin(admin.ModelAdmin):
    list_display = ("pk", "records", "created_at", "retired_at", "merged_into")
    inlines = [MembershipInline]
    readonly_fields = ("retired_at", "merged_into")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Individual]:
        return super().get_queryset(request).prefetch_related("memberships")

    @admin.display(description="records")
    def records(self, obj: Individual) -> int:
        return obj.memberships.count()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # individuals are retired, never deleted: old references must resolve


class UndoForm(forms.ModelForm):
    undo_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="give a reason to undo this change"
    )

    class Meta:
        model = LinkChange
        fields: list[str] = []


@admin.register(LinkChange)
class LinkChangeAdmin(admin.ModelAdmin):
    form = UndoForm
    list_display = ("pk", "at", "kind", "to_individual", "from_individuals", "acting_user", "reason")
    list_filter = ("kind",)
    readonly_fields = (
        "at",
        "kind",
        "reason",
        "acting_user",
        "from_individuals",
        "to_individual",
        "before",
        "after",
        "undoes",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the history is what makes every merge undoable

    def save_model(self, request: HttpRequest, obj: LinkChange, form: Any, change: bool) -> None:
        reason = (form.cleaned_data.get("undo_reason") or "").strip()
        if reason:
            try:
                services.unmerge(obj, acting_user=request.user, reason=reason)
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))


@admin.register(PairDecision)
class PairDecisionAdmin(admin.ModelAdmin):
    list_display = ("pk", "person_a", "person_b", "same", "decided_by", "decided_at")
    readonly_fields = ("person_a", "person_b", "same", "reason", "decided_by", "decided_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decisions are kept forever
