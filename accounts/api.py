from datetime import datetime

from django.http import HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from accounts.auth import require_supervisor
from accounts.models import ApiToken, Staff
from accounts.staffing import StaffError, add_staff, check_credentials
from accounts.throttle import Throttled
from config import limits
from config.api_errors import ApiError
from config.pagination import Pagination

router = Router(tags=["staff"])


class TokenIn(Schema):
    email: str = Field(max_length=limits.EMAIL_MAX)
    password: str = Field(max_length=limits.PASSWORD_MAX)


class TokenOut(Schema):
    token: str


class TokenInfo(Schema):
    """A token as its owner sees it in the list: never the key itself."""

    id: int
    prefix: str = Field(description="The first characters of the token, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most every five minutes.")
    expires_at: datetime
    current: bool = Field(description="True for the token this request was made with.")


class StaffIn(Schema):
    email: str = Field(max_length=limits.EMAIL_MAX)
    name: str = Field(max_length=limits.PERSON_NAME_MAX)
    phone: str = Field(max_length=limits.PHONE_INPUT_MAX)
    role: str = Field(max_length=limits.ROLE_INPUT_MAX)
    password: str = Field(max_length=limits.PASSWORD_MAX)


class StaffOut(Schema):
    id: int
    email: str
    name: str
    phone: str
    role: str


def staff_out(staff: Staff) -> dict:
    return {"id": staff.id, "email": staff.email, "name": staff.name, "phone": staff.phone, "role": staff.role}


class TooManySignIns(ApiError):
    def __init__(self, throttled: Throttled):
        super().__init__(
            429,
            f"Too many failed sign-ins from here. Try again in {throttled.minutes} minute"
            f"{'s' if throttled.minutes != 1 else ''} (see Retry-After).",
        )
        self.headers = {"Retry-After": str(throttled.retry_after)}


@router.post("/auth/token", auth=None, response=TokenOut, summary="Exchange email and password for an API token")
def create_token(request, payload: TokenIn):
    """The token works until it expires (API_TOKEN_TTL_DAYS, 30 days by default), is revoked,
    or its owner's password changes or account is deactivated."""
    try:
        staff = check_credentials(request, payload.email, payload.password)
    except Throttled as throttled:
        raise TooManySignIns(throttled) from None
    if staff is None:
        raise ApiError(401, "Wrong email or password.")
    return {"token": ApiToken.issue(staff)}


@router.delete("/auth/token", response={204: None}, summary="Revoke the token this request is made with")
def revoke_current_token(request):
    ApiToken.objects.filter(pk=request.api_token.pk).delete()
    return HttpResponse(status=204)


def _token_info(token: ApiToken, current: ApiToken) -> dict:
    return {
        "id": token.id,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "current": token.pk == current.pk,
    }


@router.get("/auth/tokens", response=list[TokenInfo], summary="Your own API tokens that still work")
@paginate(Pagination)
def list_tokens(request):
    tokens = ApiToken.live().filter(staff=request.staff)
    return [_token_info(token, request.api_token) for token in tokens]


@router.delete("/auth/tokens/{token_id}", response={204: None}, summary="Revoke one of your own API tokens")
def revoke_token(request, token_id: int):
    deleted, _ = ApiToken.objects.filter(pk=token_id, staff=request.staff).delete()
    if not deleted:
        raise ApiError(404, "Not found.")
    return HttpResponse(status=204)


@router.post("/staff", response={201: StaffOut}, summary="Add a peer supporter or supervisor")
def create_staff(request, payload: StaffIn):
    require_supervisor(request.staff, "add staff")
    try:
        staff = add_staff(request.staff.organization, **payload.dict())
    except StaffError as error:
        raise ApiError(error.status, error.message, field=error.field) from None
    return Status(201, staff_out(staff))


@router.get("/staff", response=list[StaffOut], summary="Staff of the organization")
@paginate(Pagination)
def list_staff(request):
    require_supervisor(request.staff, "list staff")
    return [staff_out(s) for s in Staff.objects.filter(organization=request.staff.organization).select_related("user")]
