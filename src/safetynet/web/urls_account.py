"""Account screens: the second factor. Their URL names stay in the `access` namespace
(`access:otp_verify`, `access:otp_setup`), which the matrix and the middleware name."""

from __future__ import annotations

from django.urls import path

from safetynet.web import views_account

app_name = "access"

urlpatterns = [
    path("account/second-factor/", views_account.otp_verify, name="otp_verify"),
    path("account/second-factor/setup/", views_account.otp_setup, name="otp_setup"),
]
