"""Enforces the URL section of the permission matrix on every request, in one place.

A URL name the matrix does not list is refused (fail closed). Anonymous users are sent to
sign in; users of elevated roles who have not passed their second factor are sent to it;
anyone else without the permission gets 403, and the refusal is written to the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from safetynet.access.matrix import load
from safetynet.access.profiles import has_permission, is_elevated
from safetynet.audit.models import Action
from safetynet.audit.services import record_audit


def second_factor_done(user: Any) -> bool:
    """Whether `user` has passed the second factor this session (or does not need one)."""
    if not getattr(settings, "SAFETYNET_REQUIRE_SECOND_FACTOR", True) or not is_elevated(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


class AccessMatrixMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        url_name = match.view_name
        permission = load().permission_for_url(url_name)
        if permission in ("public", "api_key", "monitoring"):
            return None  # api_key, monitoring: the view checks the key, token or network itself
        user = request.user
        is_api = url_name.startswith("api:")
        if not user.is_authenticated:
            if is_api:
                return JsonResponse({"detail": "Unauthorized"}, status=401)
            return redirect_to_login(request.get_full_path())
        if permission == "signed_in":
            return None
        if not second_factor_done(user):
            if is_api:
                return JsonResponse({"detail": "Second factor required: sign in on the web first"}, status=401)
            return redirect("access:otp_verify")
        if permission == "authenticated":
            return None
        if permission is not None and permission != "nobody" and has_permission(user, permission):
            return None
        individual_id = view_kwargs.get("individual_id")
        record_audit(
            acting_user=user,
            action=Action.DENIED,
            object_type="url",
            object_ids=[url_name],
            individual_ids=[individual_id] if isinstance(individual_id, int) else [],
            outcome="denied",
        )
        if is_api:
            return JsonResponse({"detail": "Forbidden"}, status=403)
        raise PermissionDenied
