"""The supervisors' staff pages: everyone in the organization (active and
deactivated), adding someone, editing their details and coverage (backup,
time zone, working hours), setting their out-of-office, and deactivating
them. Each change goes through accounts.staffing, as the API's does; a
refusal is shown on its field. Another organization's staff is not found.

The out-of-office views are shared with My coverage (web.views.coverage):
anyone sets their own, a supervisor anyone's."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import OutOfOffice, Staff
from accounts.staffing import StaffError, add_staff, cancel_out_of_office, deactivate_staff, set_out_of_office, update_staff
from web.access import supervisor_required
from web.service_forms import OutOfOfficeForm, StaffAddForm, StaffEditForm


def colleagues(staff: Staff) -> list[Staff]:
    return list(Staff.objects.filter(organization_id=staff.organization_id).select_related("user", "backup"))


def _person(request: HttpRequest, staff_id: int) -> Staff:
    people = Staff.objects.filter(organization_id=request.staff.organization_id)
    return get_object_or_404(people.select_related("user", "backup", "organization"), pk=staff_id)


def absences(staff: Staff) -> list[OutOfOffice]:
    """Out-of-office periods now or to come (`running`: begun)."""
    now = timezone.now()
    periods = list(staff.absences.filter(cancelled_at=None, ends_at__gt=now).order_by("starts_at", "id"))
    for period in periods:
        period.running = period.starts_at <= now
    return periods


@supervisor_required
def staff_page(request: HttpRequest) -> HttpResponse:
    """GET: the list. POST: add a staff member."""
    form = StaffAddForm(request.POST or None, initial={"role": Staff.Role.SUPPORTER})
    if request.method == "POST":
        if form.is_valid():
            try:
                added = add_staff(request.staff.organization, **form.fields_for_service(), by=request.staff, via="web")
            except StaffError as error:
                form.refuse(error)
            else:
                messages.success(request, f"{added.name} added: they can sign in with {added.email}.")
                return redirect("web:staff")
        messages.error(request, "The new staff member needs a fix; see the message next to it.")
    people = colleagues(request.staff)
    now = timezone.now()
    away = set(OutOfOffice.objects.covering(now).filter(staff__in=people).values_list("staff_id", flat=True))
    rows = [{"staff": s, "away": s.pk in away} for s in people]
    return render(
        request,
        "web/staff.html",
        {
            "active": [r for r in rows if r["staff"].is_active],
            "deactivated": [r for r in rows if not r["staff"].is_active],
            "form": form,
            "nav": "staff",
        },
        status=400 if form.errors else 200,
    )


@supervisor_required
def staff_member(request: HttpRequest, staff_id: int) -> HttpResponse:
    """One staff member: details and coverage (POST saves them), and their out-of-office."""
    person = _person(request, staff_id)
    kwargs = {"staff": person, "colleagues": colleagues(request.staff)}
    if request.method == "POST":
        form = StaffEditForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                # A fresh copy: a refused change must not show half-applied.
                update_staff(_person(request, staff_id), form.changes(), by=request.staff, via="web")
            except StaffError as error:
                form.refuse(error)
            else:
                messages.success(request, f"{person.name}’s details saved.")
                return redirect("web:staff-member", staff_id=person.pk)
        messages.error(request, "The change needs a fix; see the message next to it.")
        return _render_person(request, person, form=form, status=400)
    return _render_person(request, person)


def _render_person(request, person: Staff, *, form=None, away_form=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "web/staff_member.html",
        {
            "person": person,
            "form": form or StaffEditForm(initial=StaffEditForm.initial_for(person), staff=person,
                                          colleagues=colleagues(request.staff)),
            "away_form": away_form or OutOfOfficeForm(staff=person),
            "absences": absences(person),
            "members": person.members.exclude(status="discharged").count(),
            "nav": "staff",
        },
        status=status,
    )  # fmt: skip


@require_POST
@supervisor_required
def staff_away(request: HttpRequest, staff_id: int) -> HttpResponse:
    person = _person(request, staff_id)
    form, done = set_away(request, person)
    if done:
        return redirect(reverse("web:staff-member", args=[person.pk]) + "#out-of-office")
    return _render_person(request, person, away_form=form, status=400)


@require_POST
@supervisor_required
def staff_away_cancel(request: HttpRequest, staff_id: int, absence_id: int) -> HttpResponse:
    person = _person(request, staff_id)
    cancel_away(request, person, absence_id)
    return redirect(reverse("web:staff-member", args=[person.pk]) + "#out-of-office")


def set_away(request: HttpRequest, person: Staff) -> tuple[OutOfOfficeForm, bool]:
    """The out-of-office form's post, for the staff page and My coverage."""
    form = OutOfOfficeForm(request.POST, staff=person)
    if form.is_valid():
        try:
            absence = set_out_of_office(person, **form.period(), by=request.staff, via="web")
        except StaffError as error:
            form.refuse(error)
        else:
            who = "You are" if person.pk == request.staff.pk else f"{person.name} is"
            ends = timezone.localtime(absence.ends_at, form.tz)
            messages.success(request, f"{who} out of office until {ends:%a %b} {ends.day}, {ends:%H:%M} ({form.tz.key}).")
            return form, True
    messages.error(request, "The out-of-office period needs a fix; see the message next to it.")
    return form, False


def cancel_away(request: HttpRequest, person: Staff, absence_id: int) -> None:
    absence = get_object_or_404(OutOfOffice.objects.filter(staff=person), pk=absence_id)
    try:
        cancel_out_of_office(absence, by=request.staff, via="web")
    except StaffError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Out-of-office period cancelled.")


@supervisor_required
def staff_deactivate(request: HttpRequest, staff_id: int) -> HttpResponse:
    """GET: are you sure (and what follows)? POST: deactivate."""
    person = _person(request, staff_id)
    if request.method == "POST":
        try:
            deactivate_staff(person, by=request.staff, via="web")
        except StaffError as error:
            messages.error(request, error.message)
            return redirect("web:staff-member", staff_id=person.pk)
        messages.success(request, f"{person.name} deactivated: they can no longer sign in.")
        return redirect("web:staff")
    members = person.members.exclude(status="discharged").count()
    return render(request, "web/staff_deactivate.html", {"person": person, "members": members, "nav": "staff"})
