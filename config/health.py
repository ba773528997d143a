from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTHZ_PATH = "/healthz"


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose: the process serves and the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


class HealthzMiddleware:
    """Answers the health probe before the host check and the HTTPS redirect:
    compose and load balancers call http://127.0.0.1:8000/healthz, which is
    neither an allowed host nor HTTPS in production. It reveals nothing but
    whether the service and its database answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTHZ_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
