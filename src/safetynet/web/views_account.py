"""Second-factor screens: set up an authenticator app once, then enter its code each sign-in."""

from __future__ import annotations

import base64

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safetynet.audit.models import Action
from safetynet.audit.services import record_audit


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input govuk-input--width-10",
            }
        ),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return "/"


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code; on success mark the session as second-factor verified."""
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("access:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].replace(" ", "")
        for device in devices:
            if device.verify_token(token):
                otp_login(request, device)
                record_audit(acting_user=request.user, action=Action.SECOND_FACTOR, fields=["verified"])
                return redirect(_next_url(request))
        record_audit(acting_user=request.user, action=Action.SECOND_FACTOR, fields=["verified"], outcome="failed")
        form.add_error("token", "That code is not right. Enter the code your authenticator app shows now.")
    return render(request, "access/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the secret, confirm it with a first code.

    Only a user with no confirmed device may enrol; replacing a device is an administrator's
    job, so someone holding only a password cannot add their own authenticator.
    """
    if any(True for _ in devices_for_user(request.user, confirmed=True)):
        return redirect("access:otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record_audit(acting_user=request.user, action=Action.SECOND_FACTOR, fields=["enrolled"])
            return redirect(_next_url(request))
        form.add_error("token", "That code is not right. Check the app was set up with the key shown.")
    secret = base64.b32encode(device.bin_key).decode("ascii")
    context = {"form": form, "secret": secret, "otpauth_uri": device.config_url, "next": _next_url(request)}
    return render(request, "access/otp_setup.html", context)
