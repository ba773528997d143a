"""Adding staff members and checking their credentials."""

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from django.http import HttpRequest

from accounts.models import Organization, Staff
from accounts.phones import InvalidPhone, to_e164
from accounts.throttle import Throttled

# Emails and phones are unique across the deployment, so a clash may be with
# another organization's staff. The answer is the same for every clash and
# names neither the field nor anyone: it must not tell a supervisor who works
# elsewhere.
CLASH = "This email or phone cannot be used for a new staff member."


class StaffError(ValueError):
    def __init__(self, field: str | None, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def add_staff(organization: Organization, *, email: str, name: str, phone: str, role: str, password: str) -> Staff:
    """Create a Django user and its staff record. Emails and phones are unique
    across the system: a sign-in or an ACK text must name one person. Staff
    users never get the Django admin (it shows every organization): that is
    for operators, made with `createsuperuser`."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise StaffError("email", "Enter a valid email address.") from None
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise StaffError("name", "Enter a name of 1 to 200 characters.")
    if role not in Staff.Role.values:
        raise StaffError("role", "Role must be 'supporter' or 'supervisor'.")
    try:
        phone = to_e164(phone)
    except InvalidPhone as error:
        raise StaffError("phone", str(error)) from None
    User = get_user_model()
    candidate = User(username=email, email=email, first_name=name.split()[0])
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        raise StaffError("password", " ".join(error.messages)) from None
    if User.objects.filter(username__iexact=email).exists() or Staff.objects.filter(phone=phone).exists():
        raise StaffError(None, CLASH, status=409)
    try:
        with transaction.atomic():
            candidate.set_password(password)
            candidate.save()
            return Staff.objects.create(user=candidate, organization=organization, name=name, role=role, phone=phone)
    except IntegrityError:
        raise StaffError(None, CLASH, status=409) from None


def check_credentials(request: HttpRequest, email: str, password: str) -> Staff | None:
    """The staff member with these credentials, or None. Raises Throttled when
    this client must wait first (accounts/throttle.py); the password is then
    not even checked."""
    email = (email or "").strip().lower()
    user = authenticate(request, username=email, password=password or "")
    retry_after = getattr(request, "sign_in_retry_after", 0)
    if retry_after:
        raise Throttled(retry_after)
    return getattr(user, "staff", None) if user is not None else None
