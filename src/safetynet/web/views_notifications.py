"""The notifications list (the header's count links here): newest first, the unread marked as
new, then marked read by being shown; and how the person wants them by email. Notifications
hold no personal data (the kind's words and a link), so this page logs no consultation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from safetynet.lib.clock import system_clock
from safetynet.web.forms_escalations import NotificationEmailForm
from safetynet.work import notifications

NOTIFICATIONS_SHOWN = 100


@require_GET
@login_required
def notifications_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _page(request: HttpRequest, form: NotificationEmailForm | None = None) -> HttpResponse:
    shown = list(notifications.notifications_of(request.user)[:NOTIFICATIONS_SHOWN])
    new = [n.pk for n in shown if n.read_at is None]
    notifications.mark_read(request.user, new, clock=system_clock)
    context = {
        "shown": shown,
        "new": set(new),
        "form": form or NotificationEmailForm(initial={"email": notifications.preference_of(request.user)}),
    }
    return render(request, "web/notifications.html", context, status=400 if form is not None else 200)


@require_POST
@login_required
def notifications_email(request: HttpRequest) -> HttpResponse:
    """Immediate emails or a daily digest."""
    form = NotificationEmailForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    notifications.set_preference(request.user, form.cleaned_data["email"])
    messages.success(request, "Your email preference is saved.")
    return redirect("web:notifications")
