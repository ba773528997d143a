"""Adding staff members and checking their credentials."""

import datetime as dt
import zoneinfo

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.models import Organization, OutOfOffice, Staff
from accounts.phones import InvalidPhone, to_e164
from accounts.signals import availability_changed
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


def add_staff(
    organization: Organization,
    *,
    email: str,
    name: str,
    phone: str,
    role: str,
    password: str,
    by: Staff | None = None,
    via: str = "api",
) -> Staff:
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
            staff = Staff.objects.create(user=candidate, organization=organization, name=name, role=role, phone=phone)
            audit.record(organization, by, "staff.added", staff, {"role": [None, role]}, via=via)
            return staff
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


# --- Editing, coverage settings and deactivation --------------------------------------

WEEKDAYS = "1234567"


def _time(field: str, value) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.datetime.strptime(str(value).strip(), "%H:%M").time()
    except ValueError:
        raise StaffError(field, 'Write the time as "HH:MM", for example "09:00".') from None


def _work_days(value) -> str:
    if isinstance(value, (list, tuple)):
        value = "".join(str(v) for v in value)
    days = "".join(sorted(set(str(value or ""))))
    if not days or any(d not in WEEKDAYS for d in days):
        raise StaffError("work_days", "Working days are ISO weekdays 1 (Monday) to 7 (Sunday), at least one.")
    return days


def _snapshot(staff: Staff) -> dict:
    return {
        "name": staff.name,
        "phone": staff.phone,
        "role": staff.role,
        "backup": staff.backup.name if staff.backup_id else None,
        "timezone": staff.timezone,
        "work_starts": staff.work_starts.strftime("%H:%M") if staff.work_starts else None,
        "work_ends": staff.work_ends.strftime("%H:%M") if staff.work_ends else None,
        "work_days": staff.work_days,
    }


def update_staff(staff: Staff, changes: dict, by: Staff, via: str = "web") -> Staff:
    """A partial update of a staff member: name, phone, role, backup, time zone
    and working hours. A supporter may change only their own backup and hours;
    roles are a supervisor's to change. All or nothing: every field is checked
    before anything is written."""
    own_fields = {"backup_id", "timezone", "work_starts", "work_ends", "work_days"}
    if not by.is_supervisor and (staff.pk != by.pk or set(changes) - own_fields):
        field = next(iter(set(changes) - own_fields), None) or next(iter(changes), None)
        raise StaffError(field, "Only supervisors can change this.", status=403)
    before = _snapshot(staff)
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name or len(name) > 200:
            raise StaffError("name", "Enter a name of 1 to 200 characters.")
        staff.name = name
    if "phone" in changes:
        try:
            phone = to_e164(changes["phone"])
        except InvalidPhone as error:
            raise StaffError("phone", str(error)) from None
        if Staff.objects.filter(phone=phone).exclude(pk=staff.pk).exists():
            raise StaffError(None, CLASH, status=409)
        staff.phone = phone
    if "role" in changes:
        if changes["role"] not in Staff.Role.values:
            raise StaffError("role", "Role must be 'supporter' or 'supervisor'.")
        if staff.pk == by.pk and changes["role"] != staff.role:
            raise StaffError("role", "You cannot change your own role; ask another supervisor.", status=409)
        staff.role = changes["role"]
    if "backup_id" in changes:
        backup_id = changes["backup_id"]
        if backup_id in (None, "", 0):
            staff.backup = None
        else:
            backup = Staff.objects.filter(
                organization_id=staff.organization_id, pk=backup_id, user__is_active=True
            ).first()
            if backup is None:
                raise StaffError("backup_id", "No such active staff member in your organization.")
            if backup.pk == staff.pk:
                raise StaffError("backup_id", "A person cannot be their own backup.")
            staff.backup = backup
    if "timezone" in changes:
        if changes["timezone"] not in zoneinfo.available_timezones():
            raise StaffError("timezone", "Unknown time zone; use an IANA name such as America/New_York.")
        staff.timezone = changes["timezone"]
    if "work_starts" in changes:
        staff.work_starts = _time("work_starts", changes["work_starts"])
    if "work_ends" in changes:
        staff.work_ends = _time("work_ends", changes["work_ends"])
    if (staff.work_starts is None) != (staff.work_ends is None):
        field = "work_ends" if staff.work_ends is None else "work_starts"
        raise StaffError(field, "Set both the start and the end of the working day, or neither.")
    if staff.work_starts is not None and staff.work_starts == staff.work_ends:
        raise StaffError("work_ends", "The working day must end at another time than it starts.")
    if "work_days" in changes:
        staff.work_days = _work_days(changes["work_days"])
    try:
        with transaction.atomic():
            staff.save()
            changed = audit.changes_between(before, _snapshot(staff))
            if changed:
                audit.record(staff.organization_id, by, "staff.updated", staff, changed, via=via)
                if {"work_starts", "work_ends", "work_days", "timezone", "backup"} & changed.keys():
                    availability_changed.send(sender=Staff, staff=staff)
    except IntegrityError:
        raise StaffError(None, CLASH, status=409) from None
    return staff


def deactivate_staff(staff: Staff, by: Staff, via: str = "web") -> Staff:
    """They can no longer sign in: their API tokens end (the user model's
    save revokes them) and so do their web sessions. Their members stay
    assigned to them and appear on the supervisors' "needs reassignment"
    list; their open alerts are re-routed at once (alerts.rerouting); nobody
    names them as a backup any more."""
    if not by.is_supervisor:
        raise StaffError(None, "Only supervisors can deactivate staff.", status=403)
    if staff.pk == by.pk:
        raise StaffError(None, "You cannot deactivate yourself; ask another supervisor.", status=409)
    if not staff.user.is_active:
        raise StaffError(None, "This staff member is already deactivated.", status=409)
    if staff.is_supervisor and staff.organization.supervisors().exclude(pk=staff.pk).count() == 0:
        raise StaffError(None, "The organization's last supervisor cannot be deactivated.", status=409)
    with transaction.atomic():
        staff.user.is_active = False
        staff.user.save(update_fields=["is_active"])
        Staff.objects.filter(backup=staff).update(backup=None)
        _end_sessions(staff.user_id)
        audit.record(staff.organization_id, by, "staff.deactivated", staff, {"active": [True, False]}, via=via)
        availability_changed.send(sender=Staff, staff=staff)
    return staff


def _end_sessions(user_id: int) -> None:
    """Web sessions of this user. Sessions are signed blobs keyed by id, so
    each live one is decoded; staff sessions are few."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            session.delete()


# --- Out of office ----------------------------------------------------------------------

MAX_ABSENCE_DAYS = 366


def set_out_of_office(
    staff: Staff, *, starts_at: dt.datetime, ends_at: dt.datetime, by: Staff, via: str = "web"
) -> OutOfOffice:
    """A period `staff` is away. Anyone may set their own; a supervisor may set
    anyone's in their organization. Alerts they hold move at once if the
    period has begun (and by the coverage tick when it begins)."""
    if staff.pk != by.pk and not (by.is_supervisor and by.organization_id == staff.organization_id):
        raise StaffError(None, "Only supervisors can set someone else's out-of-office.", status=403)
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            raise StaffError(field, "Give a date and time with its time zone.")
    if ends_at <= starts_at:
        raise StaffError("ends_at", "The period must end after it starts.")
    if ends_at <= timezone.now():
        raise StaffError("ends_at", "The period must end in the future.")
    if ends_at - starts_at > dt.timedelta(days=MAX_ABSENCE_DAYS):
        raise StaffError("ends_at", f"An out-of-office period can last at most {MAX_ABSENCE_DAYS} days.")
    with transaction.atomic():
        absence = OutOfOffice.objects.create(staff=staff, starts_at=starts_at, ends_at=ends_at, set_by=by)
        audit.record(
            staff.organization_id, by, "out_of_office.set", staff,
            {"out_of_office": [None, _period(starts_at, ends_at)]}, via=via,
        )
        availability_changed.send(sender=Staff, staff=staff)
    return absence


def _period(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    return f"{starts_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} to {ends_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def cancel_out_of_office(absence: OutOfOffice, by: Staff, via: str = "web") -> OutOfOffice:
    """Ends a period now (or cancels one not yet begun). The row stays."""
    staff = absence.staff
    if staff.pk != by.pk and not (by.is_supervisor and by.organization_id == staff.organization_id):
        raise StaffError(None, "Only supervisors can change someone else's out-of-office.", status=403)
    if absence.cancelled_at is not None or absence.ends_at <= timezone.now():
        raise StaffError(None, "This out-of-office period is already over.", status=409)
    with transaction.atomic():
        now = timezone.now()
        absence.cancelled_at = now
        absence.save(update_fields=["cancelled_at"])
        audit.record(
            staff.organization_id, by, "out_of_office.cancelled", staff,
            {"out_of_office": [_period(absence.starts_at, absence.ends_at), None]},
            via=via,
        )
        availability_changed.send(sender=Staff, staff=staff)
    return absence
