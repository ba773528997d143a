from django.contrib import admin
from django.urls import include, path

from config.api import api
from config.health import healthz

urlpatterns = [
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("sms/", include("sms.urls")),
    path("", include("web.urls")),
]

# Styled pages for refused requests (JSON under /api/); see web/views/errors.py.
handler403 = "web.views.errors.forbidden"
handler404 = "web.views.errors.not_found"
