"""The django-ninja API root: `/api/v1`, bearer tokens, and errors shaped as
`{"detail": ...}` that a person can act on."""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from accounts.api import router as staff_router
from accounts.auth import BearerAuth
from accounts.models import ApiToken
from alerts.api import router as alerts_router
from care.api import router as care_router
from checkins.api import router as checkins_router
from checkins.records_api import router as member_records_router
from checkins.series_api import router as series_router
from config.api_errors import ApiError
from coverage.api import router as coverage_router
from inbox.api import router as inbox_router
from records.api import router as records_router
from web.access import staff_of

def without_nul(value):
    """PostgreSQL text cannot hold the NUL character; it carries no meaning in
    any field here, so it is dropped rather than turned into a server error."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


class JsonParser(Parser):
    def parse_body(self, request):
        return without_nul(super().parse_body(request))

    def parse_querydict(self, data, list_fields, request):
        return without_nul(super().parse_querydict(data, list_fields, request))


def for_staff_only(view):
    """The docs page is for signed-in staff (a web session); unauthenticated
    people are sent to sign in. The schema is for staff too (a session or a
    bearer token), unless API_SCHEMA_PUBLIC is on (the default with DEBUG)."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        is_schema = request.path.endswith("/openapi.json")
        if is_schema and settings.API_SCHEMA_PUBLIC:
            return view(request, *args, **kwargs)
        if staff_of(request) is not None:
            return view(request, *args, **kwargs)
        if is_schema:
            header = request.headers.get("Authorization", "")
            if header.startswith("Bearer ") and ApiToken.find(header[len("Bearer "):].strip()) is not None:
                return view(request, *args, **kwargs)
            return JsonResponse(
                {"detail": "Sign in first: send `Authorization: Bearer <token>` from POST /auth/token."}, status=401
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    title="Recovery check-ins API",
    version="1",
    description="Members, check-ins and relapse-risk alerts. Authenticate with `Authorization: Bearer <token>` "
    "from `POST /auth/token`.",
    auth=BearerAuth(),
    parser=JsonParser(),
    urls_namespace="api",
    docs_decorator=for_staff_only,
)
api.add_router("", staff_router)
api.add_router("", checkins_router)
api.add_router("", alerts_router)
api.add_router("", inbox_router)
api.add_router("", coverage_router)
api.add_router("", care_router)
api.add_router("", member_records_router)
api.add_router("", series_router)
api.add_router("", records_router)


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
    response = api.create_response(request, body, status=exc.status)
    for name, value in getattr(exc, "headers", {}).items():
        response[name] = value
    return response


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
