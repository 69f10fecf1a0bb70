"""Screens that belong to the web app itself: sign in and out, and the start page.

Views stay thin: they parse the request, fetch through access helpers and services, and
render. Screens for people, work and search live in their own modules beside this one.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from safetynet.web.forms import LoginForm
from safetynet.web.viewer import landing_url_name


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and return to the sign-in page."""

    next_page = "web:login"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its first screen (search while a role's own screen is not there);
    show a start page if neither is available."""
    for name in (landing_url_name(request.user), "web:search"):
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    return render(request, "web/home.html")
