"""The pages for refused requests: a styled 403 and 404 in the web app, the
API's JSON `{"detail"}` under /api/ (for paths no API operation matches).
Neither is an error of the service: nothing is logged beyond Django's one line."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from config.caching import API_PREFIX


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Our own refusals carry a sentence written for the person reading it.
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    if _is_api(request):
        return JsonResponse({"detail": reason or "You may not do this."}, status=403)
    return render(request, "web/403.html", {"reason": reason}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "web/404.html", status=404)
