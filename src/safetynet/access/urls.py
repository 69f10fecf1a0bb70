"""Second-factor screens (and, once the web app has one, the access log report screen)."""

from __future__ import annotations

from django.urls import path

from safetynet.access import views

app_name = "access"

urlpatterns = [
    path("account/second-factor/", views.otp_verify, name="otp_verify"),
    path("account/second-factor/setup/", views.otp_setup, name="otp_setup"),
]
