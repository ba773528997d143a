"""Forms for the administration and coverage pages (members, staff, out of
office, pause, the on-call rota). They check nothing themselves: each passes
what was typed to its domain service (accounts.staffing, checkins.enrollment,
checkins.pausing, coverage.rota), and the service's refusal is shown on the
field it names (`refuse`). So the web and the API accept and refuse the same
input with the same words.

Fields are therefore optional strings; a select is a CharField with a Select
widget (what is posted reaches the service, which says what is wrong with it)."""

import datetime as dt
import zoneinfo

from django import forms

from accounts.models import Staff
from checkins.models import Member
from config import limits
from coverage.models import DAYS
from records.disclosure import DisclosureError, checked
from records.models import ConsentRecord

LANGUAGES = [("en", "English"), ("es", "Español")]
CONSENT_METHODS = [("verbal", "Verbal, recorded by staff"), ("written", "Written"), ("web form", "Web form")]
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def text(label: str, help_text: str = "", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, strip=False, help_text=help_text, widget=forms.TextInput(attrs=attrs or None)
    )


def choice(label: str, choices=(), help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, help_text=help_text, widget=forms.Select(choices=choices))


def clock(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, help_text=help_text, widget=TIME)


def zone(label: str = "Time zone", help_text: str = "An IANA name, such as America/New_York.") -> forms.CharField:
    # The list of names is one <datalist id="timezones"> per page (partials/timezones.html).
    return text(label, help_text, list="timezones", autocomplete="off", spellcheck="false")


def some_id(raw) -> int:
    """A posted id as the services expect it; anything but digits is an id
    nobody has (-1), so the service answers "no such …" for it."""
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 12 else -1


def weekday(raw) -> int:
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 2 else 0


class ServiceForm(forms.Form):
    """A form whose validation is a service's."""

    # Where a service's field is shown on this form, when the names differ.
    FIELD_OF: dict[str, str] = {}
    # Element ids: each form of a page has its own, so two forms there can
    # both have a "supporter" field.
    AUTO_ID = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.AUTO_ID)
        super().__init__(*args, **kwargs)

    def refuse(self, error) -> None:
        """Show a StaffError / EnrollmentError / RotaError on its field (or
        above the form when it names none)."""
        name = self.FIELD_OF.get(error.field, error.field)
        self.add_error(name if name in self.fields else None, error.message)

    def value(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "").strip()


def staff_choices(staff, blank: str | None = None) -> list[tuple[str, str]]:
    rows = [("", blank)] if blank is not None else []
    for person in staff:
        label = person.name if person.is_active else f"{person.name} (deactivated)"
        rows.append((str(person.pk), label))
    return rows


# --- Members ----------------------------------------------------------------------------


class MemberFieldsForm(ServiceForm):
    """The member's details, as enrolment and the edit page ask for them."""

    FIELD_OF = {"program_id": "program", "supporter_id": "supporter"}

    name = text("Name", autocomplete="off")
    phone = forms.CharField(
        label="Mobile phone", required=False, max_length=limits.PHONE_INPUT_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        error_messages={"max_length": "This phone number is too long; write it like +1 555 555 0100."},
    )  # fmt: skip
    timezone = zone()
    language = choice("Language of the texts", LANGUAGES)
    program = choice("Program")
    supporter = choice("Supporter")
    checkin_time = clock("Daily check-in at", "The member's local time, within the program's sending window.")

    def __init__(self, *args, programs, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].widget.choices = [(str(p.pk), p.name) for p in programs]
        self.fields["supporter"].widget.choices = staff_choices(staff)


class EnrolForm(MemberFieldsForm):
    AUTO_ID = "enrol_%s"

    consent = forms.BooleanField(
        required=False, label="The member agreed to receive check-in texts",
        help_text="They get a welcome text now, saying what the program is and how to stop.",
    )  # fmt: skip
    consent_method = choice("How they agreed", CONSENT_METHODS)

    def enrolment(self) -> dict:
        """enroll_member's keyword arguments."""
        return {
            "name": self.value("name"),
            "phone": self.value("phone"),
            "timezone_name": self.value("timezone"),
            "language": self.value("language"),
            "program_id": some_id(self.cleaned_data.get("program")),
            "supporter_id": some_id(self.cleaned_data.get("supporter")),
            "checkin_time": self.value("checkin_time"),
            "consent": bool(self.cleaned_data.get("consent")),
            "consent_method": self.value("consent_method") or "recorded by staff",
        }


class MemberEditForm(MemberFieldsForm):
    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        phone = self.fields["phone"]
        phone.label = "New mobile phone"
        phone.help_text = f"Now ending in {member.phone[-4:]}. Leave empty to keep it."
        self.member = member

    @staticmethod
    def initial_for(member: Member) -> dict:
        return {
            "name": member.name, "timezone": member.timezone, "language": member.language,
            "program": str(member.program_id), "supporter": str(member.supporter_id),
            "checkin_time": member.checkin_time.strftime("%H:%M"),
        }  # fmt: skip

    def changes(self) -> dict:
        """update_member's changes: only what differs from the record (so an
        unchanged supporter who has since been deactivated is not checked again)."""
        member, changes = self.member, {}
        for field, current in (("name", member.name), ("timezone", member.timezone), ("language", member.language)):
            if self.value(field) != current:
                changes[field] = self.value(field)
        if self.value("phone"):
            changes["phone"] = self.value("phone")
        if self.value("program") != str(member.program_id):
            changes["program_id"] = some_id(self.value("program"))
        if self.value("supporter") != str(member.supporter_id):
            changes["supporter_id"] = some_id(self.value("supporter"))
        if self.value("checkin_time") != member.checkin_time.strftime("%H:%M"):
            changes["checkin_time"] = self.value("checkin_time")
        return changes


class ReassignForm(ServiceForm):
    """Members ticked in the list (name="member_ids") and their new supporter."""

    AUTO_ID = "reassign_%s"

    FIELD_OF = {"supporter_id": "supporter"}

    member_ids = forms.Field(required=False, widget=forms.CheckboxSelectMultiple)
    supporter = choice("New supporter")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter"].widget.choices = staff_choices([s for s in staff if s.is_active], blank="Choose…")

    def ids(self) -> list[int]:
        return [some_id(raw) for raw in self.cleaned_data.get("member_ids") or []]


class PauseForm(ServiceForm):
    AUTO_ID = "pause_%s"

    until = forms.CharField(
        label="Paused until", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Check-ins start again that morning, with a welcome-back text. Leave empty to resume by hand.",
    )  # fmt: skip
    reason = choice("Reason", Member.PauseReason.choices, "A category only: it shows on staff lists.")


# --- Staff ------------------------------------------------------------------------------


class StaffAddForm(ServiceForm):
    AUTO_ID = "new_staff_%s"

    name = text("Name", autocomplete="off")
    email = forms.CharField(
        label="Email (their sign-in)", required=False, max_length=limits.EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip
    phone = forms.CharField(
        label="Mobile phone", required=False, max_length=limits.PHONE_INPUT_MAX,
        help_text="Alerts are texted here; an ACK from this number acknowledges them.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    role = choice("Role", Staff.Role.choices)
    password = forms.CharField(
        label="First password", required=False, strip=False, max_length=limits.PASSWORD_MAX,
        help_text="Give it to them in person; they can change it later.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "email": self.value("email"), "name": self.value("name"), "phone": self.value("phone"),
            "role": self.value("role"), "password": data.get("password") or "",
        }  # fmt: skip


class CoverageForm(ServiceForm):
    """Backup, time zone and working hours: what anyone may set for
    themselves (My coverage) and a supervisor for anyone (the staff page)."""

    FIELD_OF = {"backup_id": "backup"}

    backup = choice("Backup", help_text="Takes your members' alerts and texts while you are out of office.")
    timezone = zone()
    work_starts = clock("Working day starts", "Leave both times empty: always working.")
    work_ends = clock("Working day ends", "A shift past midnight belongs to the day it starts.")
    work_days = forms.Field(
        label="Working days", required=False, widget=forms.CheckboxSelectMultiple(choices=[(str(d), n) for d, n in DAYS])
    )

    def __init__(self, *args, staff: Staff, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        others = [s for s in colleagues if s.is_active and s.pk != staff.pk]
        self.fields["backup"].widget.choices = staff_choices(others, blank="No backup: the supervisors")
        if staff.backup_id and not any(s.pk == staff.backup_id for s in others):
            self.fields["backup"].widget.choices.append((str(staff.backup_id), staff.backup.name))
        self.staff = staff

    @staticmethod
    def initial_for(staff: Staff) -> dict:
        return {
            "backup": str(staff.backup_id or ""), "timezone": staff.timezone,
            "work_starts": staff.work_starts.strftime("%H:%M") if staff.work_starts else "",
            "work_ends": staff.work_ends.strftime("%H:%M") if staff.work_ends else "",
            "work_days": list(staff.work_days),
        }  # fmt: skip

    def changes(self) -> dict:
        backup = self.value("backup")
        return {
            "backup_id": some_id(backup) if backup else None,
            "timezone": self.value("timezone"),
            "work_starts": self.value("work_starts"),
            "work_ends": self.value("work_ends"),
            "work_days": "".join(str(day) for day in self.cleaned_data.get("work_days") or []),
        }


class StaffEditForm(CoverageForm):
    name = text("Name", autocomplete="off")
    phone = forms.CharField(
        label="Mobile phone", required=False, max_length=limits.PHONE_INPUT_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    role = choice("Role", Staff.Role.choices)

    field_order = ["name", "phone", "role", "backup", "timezone", "work_starts", "work_ends", "work_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["backup"].help_text = "Takes this person's members' alerts and texts while they are out of office."

    @staticmethod
    def initial_for(staff: Staff) -> dict:
        return {"name": staff.name, "phone": staff.phone, "role": staff.role, **CoverageForm.initial_for(staff)}

    def changes(self) -> dict:
        staff, changes = self.staff, super().changes()
        for field, current in (("name", staff.name), ("phone", staff.phone), ("role", staff.role)):
            if self.value(field) != current:
                changes[field] = self.value(field)
        return changes


class OutOfOfficeForm(ServiceForm):
    """A period away, typed on the wall clock of the person who is away."""

    AUTO_ID = "away_%s"

    starts_at = forms.CharField(label="From", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.CharField(label="Until", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, staff: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = zoneinfo.ZoneInfo(staff.timezone)
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = f"In {staff.timezone} time."

    def moment(self, name: str) -> dt.datetime | None:
        """The time typed, aware in the person's zone; None when it is not a
        date and time (set_out_of_office then says what it needs)."""
        try:
            typed = dt.datetime.fromisoformat(self.value(name))
        except ValueError:
            return None
        return typed.replace(tzinfo=self.tz) if typed.tzinfo is None else None

    def period(self) -> dict:
        return {"starts_at": self.moment("starts_at"), "ends_at": self.moment("ends_at")}


# --- The on-call rota -------------------------------------------------------------------


class OnCallForm(ServiceForm):
    AUTO_ID = "on_call_%s"

    FIELD_OF = {"staff_id": "staff"}

    staff = choice("Who is on call")
    starts_day = choice("Starts on", DAYS)
    starts_time = clock("Starts at")
    ends_day = choice("Ends on", DAYS)
    ends_time = clock("Ends at")
    timezone = zone(help_text="The times are read on this zone's clock, so a period keeps its hours across DST.")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].widget.choices = staff_choices([s for s in staff if s.is_active], blank="Choose…")

    def period(self) -> dict:
        """add_on_call's keyword arguments."""
        return {
            "staff_id": some_id(self.value("staff")),
            "timezone_name": self.value("timezone"),
            "starts_day": weekday(self.value("starts_day")),
            "starts_time": self.value("starts_time"),
            "ends_day": weekday(self.value("ends_day")),
            "ends_time": self.value("ends_time"),
        }


# --- Records: disclosures and consent ---------------------------------------------------


class DisclosureForm(ServiceForm):
    """Why and to whom member data leaves the product (records.disclosure.checked)."""

    AUTO_ID = "disclose_%s"

    purpose = forms.CharField(
        label="Purpose", required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 500}),
        help_text="Why it is disclosed, for example: treatment coordination, billing, the member's request.",
    )  # fmt: skip
    recipient = forms.CharField(
        label="Recipient", required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 200}),
        help_text="Who receives it: a person or an organization.",
    )  # fmt: skip

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        try:
            self.cleaned_data["purpose"], self.cleaned_data["recipient"] = checked(
                self.cleaned_data.get("purpose"), self.cleaned_data.get("recipient")
            )
        except DisclosureError as error:
            self.refuse(error)
            return False
        return True


class WithdrawConsentForm(ServiceForm):
    """Staff record that the member withdrew consent (checkins.consenting.revoke_by_staff checks the reason)."""

    AUTO_ID = "withdraw_%s"

    reason = forms.CharField(
        label="Reason", required=False,
        widget=forms.Textarea(attrs={"rows": 2, "required": True, "maxlength": 1000}),
        help_text="Kept with the record: for example, asked by phone to stop the texts.",
    )  # fmt: skip


CONSENT_AGAIN_METHODS = [(ConsentRecord.Method.VERBAL, "Verbal, recorded by staff"), (ConsentRecord.Method.WRITTEN, "Written (signed form)")]


class ConsentAgainForm(ServiceForm):
    """Consent recorded again by staff after they withdrew it (checkins.consenting.grant_by_staff)."""

    AUTO_ID = "consent_%s"

    method = forms.ChoiceField(label="How they agreed", choices=CONSENT_AGAIN_METHODS, widget=forms.RadioSelect)


def staff_revoked(member: Member) -> bool:
    """Consent stands withdrawn by staff (not by the member's own text or the carrier)."""
    record = member.current_consent
    return (
        record is not None
        and record.kind == ConsentRecord.Kind.REVOKED
        and record.method == ConsentRecord.Method.STAFF
    )
