"""Top-level URLs. Each app adds its own `urls.py` here."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from safetynet.api.api import api
from safetynet.lib.health import healthz
from safetynet.ops.metrics import metrics
from safetynet.ops.readiness import readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("safetynet.web.urls")),
    path("", include("safetynet.web.urls_account")),
]
