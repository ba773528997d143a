from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from accounts.access import ApiError, require_supervisor
from accounts.models import ApiToken, Staff
from accounts.staffing import LockedOut, StaffError, add_staff, check_credentials
from config.pagination import Pagination

router = Router(tags=["staff"])


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class TokenOut(Schema):
    token: str


class StaffIn(Schema):
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    phone: str = Field(max_length=40)
    role: str = Field(max_length=20)
    password: str = Field(max_length=200)


class StaffOut(Schema):
    id: int
    email: str
    name: str
    phone: str
    role: str


def staff_out(staff: Staff) -> dict:
    return {"id": staff.id, "email": staff.email, "name": staff.name, "phone": staff.phone, "role": staff.role}


@router.post("/auth/token", auth=None, response=TokenOut, summary="Exchange email and password for an API token")
def create_token(request, payload: TokenIn):
    try:
        staff = check_credentials(payload.email, payload.password)
    except LockedOut:
        raise ApiError(429, "Too many failed sign-ins for this email. Wait 15 minutes or ask an operator.") from None
    if staff is None:
        raise ApiError(401, "Wrong email or password.")
    return {"token": ApiToken.issue(staff)}


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
