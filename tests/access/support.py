"""Signing test users in, second factor included, without going through the forms."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice


def sign_in(client: Client, user: Any, *, second_factor: bool = True) -> Client:
    """Sign `user` in on `client`; with `second_factor`, as if they had entered a valid code."""
    client.force_login(user)
    if second_factor:
        device, _ = StaticDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
