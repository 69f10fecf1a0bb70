"""The admin site's screens for accounts: users, roles (profiles), agencies, teams, caseloads and
restrictions, each change written to the access log in the admin's own transaction.

Django's admin keeps only its own `LogEntry`, which an auditor does not read and which is not
hash-chained; a change of who may see which child belongs in the access log beside every other
change. The entry names the object and the fields changed, never their values (a password
hash, a name). Children appear by id only (`raw_id_fields`): the administrator's role sees no
child records.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from safetynet.access.models import Agency, Caseload, Restriction, Team, UserProfile
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit
from safetynet.lib.clock import system_clock


def _log(request: HttpRequest, obj: Model, what: str, fields: list[str]) -> None:
    individual = getattr(obj, "individual_id", None)
    record_audit(
        acting_user=request.user,
        action=Action.CHANGE,
        object_type=obj._meta.model_name or "",
        object_ids=[obj.pk],
        individual_ids=[individual] if individual else [],
        fields=fields,
        reason=f"admin: {what}",
    )


class AuditedAdmin(admin.ModelAdmin):
    """Writes every save and delete made through this screen to the access log."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _log(request, obj, "changed" if change else "created", sorted(form.changed_data))

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        many = [f for f in form.changed_data if f in {m.name for m in form.instance._meta.many_to_many}]
        if change and many:  # who is named on a restriction, a user's groups
            _log(request, form.instance, "changed", sorted(many))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _log(request, obj, "deleted", [])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            _log(request, obj, "deleted", [])
        super().delete_queryset(request, queryset)


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("code", "name")


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("code", "name", "agency")
    list_filter = ("agency",)
    raw_id_fields = ("organisation",)


@admin.register(UserProfile)
class UserProfileAdmin(AuditedAdmin):
    list_display = ("user", "role", "agency", "team")
    list_filter = ("role", "agency")
    raw_id_fields = ("user",)


@admin.register(Caseload)
class CaseloadAdmin(AuditedAdmin):
    list_display = ("user", "individual_id", "added_at")
    raw_id_fields = ("user", "individual")

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if not change:
            obj.added_at = system_clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Restriction)
class RestrictionAdmin(AuditedAdmin):
    list_display = ("individual_id", "reason_code", "restricted_at", "restricted_by")
    raw_id_fields = ("individual", "restricted_by")
    filter_horizontal = ("named_users",)
    exclude = ("restricted_at",)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if not change:
            obj.restricted_at = system_clock.now()
        super().save_model(request, obj, form, change)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Django's user screens (password changes included), each change in the access log."""
