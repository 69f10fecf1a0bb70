"""Operation Encompass screens: the police's list (schools still to be told, with D1's deadline;
what was sent and whether it was acknowledged), the form that tells a school, and a school's
list of the notifications sent to it with its Acknowledge button. Thin: reads from
`reads.encompass`, changes through `mash.encompass` (capture, versions, access log)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.lib.clock import system_clock
from safetynet.mash import encompass
from safetynet.reads import access
from safetynet.reads import encompass as reads
from safetynet.reads import person as people
from safetynet.web.forms import GovukFormMixin


class SendForm(GovukFormMixin, forms.Form):
    information = forms.CharField(
        label="What does the school need to know?",
        help_text="What happened, who the child lives with now and how the school can support them. "
        f"At least {encompass.INFORMATION_MIN} characters",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=encompass.TEXT_MAX,
        error_messages={"required": "Enter what the school needs to know to support the child"},
    )


@require_GET
@login_required
def encompass_list(request: HttpRequest) -> HttpResponse:
    """Schools still to be told (open D1), and what was sent in the last 30 days."""
    now = system_clock.now()
    due, sent = reads.to_send(request.user, now), reads.sent(request.user, now)
    reads.log_list(request.user, due, "to_send")
    reads.log_list(request.user, sent, "sent")
    return render(request, "web/encompass.html", {"due": due, "sent": sent, "now": now})


@require_http_methods(["GET", "POST"])
@login_required
def encompass_send(request: HttpRequest, incident_id: int, individual_id: int) -> HttpResponse:
    """Tell the child's school about the incident."""
    incident = access.event_for_user(request.user, incident_id)
    access.individual_for_user(request.user, individual_id)
    now = system_clock.now()
    head = people.headlines_for([individual_id], now.date()).get(individual_id)
    school = encompass.school_of(individual_id)
    form = SendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                encompass.send(incident.pk, individual_id, form.cleaned_data["information"], acting_user=request.user)
            except encompass.NotYourNotification as refused:
                raise PermissionDenied(str(refused)) from refused
            except encompass.NotificationRefused as refused:
                form.add_error(
                    refused.field if refused.field in form.fields else None,
                    refused.expected[:1].upper() + refused.expected[1:],
                )
            else:
                messages.success(request, "The school has been told.")
                return redirect("web:encompass")
    context = {"form": form, "incident": incident, "child": head, "individual_id": individual_id, "school": school}
    return render(request, "web/encompass_send.html", context, status=status)


@require_GET
@login_required
def school_notifications(request: HttpRequest) -> HttpResponse:
    """The notifications the police sent to the user's school, the unacknowledged first."""
    school, rows = reads.for_school(request.user, system_clock.now())
    reads.log_list(request.user, rows, "school")
    return render(request, "web/school_notifications.html", {"school": school, "rows": rows})


@require_POST
@login_required
def school_acknowledge(request: HttpRequest, notification_id: int) -> HttpResponse:
    """The school acknowledges one notification."""
    access.event_for_user(request.user, notification_id)
    try:
        encompass.acknowledge(notification_id, acting_user=request.user)
    except encompass.NotYourNotification as refused:
        raise PermissionDenied(str(refused)) from refused
    except encompass.NotificationRefused as refused:
        messages.error(request, refused.expected[:1].upper() + refused.expected[1:])
    else:
        messages.success(request, "Acknowledged: the police can see that the school has it.")
    return redirect("web:school_notifications")
