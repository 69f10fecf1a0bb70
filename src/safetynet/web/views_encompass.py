"""Screens for notifications to partners, one set of views for both schemes (the URL names the
scheme): the police's list (Operation Encompass: schools still to be told, with D1's deadline;
GP: practices not yet told of an incident in the last 30 days; what was sent and whether it was
acknowledged), the form that tells the partner, and a partner's (school's, GP practice's) list of
the notifications sent to it with its Acknowledge button. Thin: reads from `reads.encompass`,
changes through `mash.encompass` (capture, versions, access log)."""

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
from safetynet.mash.encompass import SCHEMES, Scheme
from safetynet.reads import access
from safetynet.reads import encompass as reads
from safetynet.reads import person as people
from safetynet.web.forms import GovukFormMixin

# What each scheme's screens link to: the police list, the send form, the partner's list and button.
URLS = {
    "operation_encompass": (
        "web:encompass",
        "web:encompass_send",
        "web:school_notifications",
        "web:school_acknowledge",
    ),
    "gp_notification": (
        "web:gp_notifications",
        "web:gp_send",
        "web:practice_notifications",
        "web:practice_acknowledge",
    ),
}


class SendForm(GovukFormMixin, forms.Form):
    information = forms.CharField(
        label="What does the school need to know?",
        help_text="What happened, who the child lives with now and how the school can support them. "
        f"At least {encompass.INFORMATION_MIN} characters",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=encompass.TEXT_MAX,
        error_messages={"required": "Enter what the school needs to know to support the child"},
    )

    def __init__(self, *args: object, scheme: Scheme = encompass.ENCOMPASS, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["information"]
        if scheme is not encompass.ENCOMPASS:
            field.label = f"What does the {scheme.partner} need to know?"
            field.help_text = (
                "What happened, who the child lives with now and what health support may help. "
                f"At least {encompass.INFORMATION_MIN} characters"
            )
            field.error_messages["required"] = f"Enter what the {scheme.partner} needs to know to support the child"


def _context(scheme: str) -> dict[str, object]:
    listed, send, partner_list, acknowledge = URLS[scheme]
    return {
        "scheme": SCHEMES[scheme],
        "gp": scheme == encompass.GP.key,
        "list_url": listed,
        "send_url": send,
        "partner_list_url": partner_list,
        "acknowledge_url": acknowledge,
    }


@require_GET
@login_required
def encompass_list(request: HttpRequest, scheme: str = encompass.ENCOMPASS.key) -> HttpResponse:
    """Partners still to be told (Encompass: open D1; GP: incidents of the last 30 days), and
    what was sent in the last 30 days."""
    now = system_clock.now()
    gp = scheme == encompass.GP.key
    due = reads.gp_to_send(request.user, now) if gp else reads.to_send(request.user, now)
    sent = reads.sent(request.user, now, SCHEMES[scheme])
    reads.log_list(request.user, due, "to_send")
    reads.log_list(request.user, sent, "sent")
    return render(request, "web/encompass.html", {"due": due, "sent": sent, "now": now, **_context(scheme)})


@require_http_methods(["GET", "POST"])
@login_required
def encompass_send(
    request: HttpRequest, incident_id: int, individual_id: int, scheme: str = encompass.ENCOMPASS.key
) -> HttpResponse:
    """Tell the child's school (or GP practice) about the incident."""
    incident = access.event_for_user(request.user, incident_id)
    access.individual_for_user(request.user, individual_id)
    now = system_clock.now()
    which = SCHEMES[scheme]
    head = people.headlines_for([individual_id], now.date()).get(individual_id)
    partner = encompass.partners_of([individual_id], which).get(individual_id)
    form = SendForm(request.POST or None, scheme=which)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                encompass.send(
                    incident.pk,
                    individual_id,
                    form.cleaned_data["information"],
                    acting_user=request.user,
                    scheme=which,
                )
            except encompass.NotYourNotification as refused:
                raise PermissionDenied(str(refused)) from refused
            except encompass.NotificationRefused as refused:
                form.add_error(
                    refused.field if refused.field in form.fields else None,
                    refused.expected[:1].upper() + refused.expected[1:],
                )
            else:
                messages.success(request, f"The {which.partner} has been told.")
                return redirect(URLS[scheme][0])
    context = {
        "form": form,
        "incident": incident,
        "child": head,
        "individual_id": individual_id,
        "partner": partner,
        **_context(scheme),
    }
    return render(request, "web/encompass_send.html", context, status=status)


@require_GET
@login_required
def school_notifications(request: HttpRequest, scheme: str = encompass.ENCOMPASS.key) -> HttpResponse:
    """The notifications the police sent to the user's school (or GP practice), the unacknowledged first."""
    partner, rows = reads.for_partner(request.user, system_clock.now())
    reads.log_list(request.user, rows, "partner")
    context = {"partner": partner, "rows": rows, **_context(scheme)}
    return render(request, "web/school_notifications.html", context)


@require_POST
@login_required
def school_acknowledge(
    request: HttpRequest, notification_id: int, scheme: str = encompass.ENCOMPASS.key
) -> HttpResponse:
    """The school (or GP practice) acknowledges one notification."""
    access.event_for_user(request.user, notification_id)
    try:
        encompass.acknowledge(notification_id, acting_user=request.user)
    except encompass.NotYourNotification as refused:
        raise PermissionDenied(str(refused)) from refused
    except encompass.NotificationRefused as refused:
        messages.error(request, refused.expected[:1].upper() + refused.expected[1:])
    else:
        messages.success(request, f"Acknowledged: the police can see that the {SCHEMES[scheme].partner} has it.")
    return redirect(URLS[scheme][2])
