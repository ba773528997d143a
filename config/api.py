"""The django-ninja API root: `/api/v1`, bearer tokens, and errors shaped as
`{"detail": ...}` that a person can act on."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from accounts.access import ApiError, BearerAuth
from accounts.api import router as staff_router
from alerts.api import router as alerts_router
from checkins.api import router as checkins_router

api = NinjaAPI(
    title="Recovery check-ins API",
    version="1",
    description="Members, check-ins and relapse-risk alerts. Authenticate with `Authorization: Bearer <token>` "
    "from `POST /auth/token`.",
    auth=BearerAuth(),
    urls_namespace="api",
)
api.add_router("", staff_router)
api.add_router("", checkins_router)
api.add_router("", alerts_router)


def _field_name(location: tuple) -> str:
    # ("body", "payload", "phone") → "phone"; ("query", "limit") → "limit"
    parts = [str(p) for p in location if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    errors = [{"field": _field_name(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")} for e in exc.errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "The request body is not valid."
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(ApiError)
def api_error(request, exc: ApiError):
    body = {"detail": exc.detail}
    if exc.field:
        body["errors"] = [{"field": exc.field, "message": exc.detail}]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "Sign in first: send `Authorization: Bearer <token>` from POST /auth/token."}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return api.create_response(request, {"detail": "The request body is too large."}, status=413)
