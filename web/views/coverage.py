"""Coverage pages. My coverage (everyone): one's own out-of-office periods,
backup, time zone and working hours, through accounts.staffing. The on-call
rota of a program (supervisors): its weekly periods, adding and removing one
through coverage.rota, and the coming week's gaps."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Staff
from accounts.staffing import StaffError, update_staff
from checkins.models import Program
from coverage import rota
from coverage.models import OnCallPeriod
from coverage.routing import supporters_covered_by
from web.access import staff_required, supervisor_required
from web.service_forms import CoverageForm, OnCallForm, OutOfOfficeForm
from web.views.staff import absences, cancel_away, colleagues, set_away


def covering(staff: Staff) -> list[dict]:
    """Whom `staff` backs up now, and until when (for the home page and My coverage)."""
    now = timezone.now()
    rows = []
    for person in supporters_covered_by(staff, now).select_related("user").order_by("name"):
        absence = person.absence_at(now)
        if absence is not None:
            rows.append({"staff": person, "until": absence.ends_at})
    return rows


def _me(request: HttpRequest) -> Staff:
    # A fresh copy, so that a refused change leaves the signed-in record as it was.
    return Staff.objects.select_related("user", "backup", "organization").get(pk=request.staff.pk)


@staff_required
def my_coverage(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: save backup, time zone and working hours."""
    me = _me(request)
    form = None
    if request.method == "POST":
        form = CoverageForm(request.POST, staff=me, colleagues=colleagues(me))
        if form.is_valid():
            try:
                update_staff(me, form.changes(), by=request.staff, via="web")
            except StaffError as error:
                form.refuse(error)
            else:
                messages.success(request, "Your coverage settings are saved.")
                return redirect("web:me")
        messages.error(request, "Your settings need a fix; see the message next to it.")
        me = _me(request)
    return _render_me(request, me, form=form, status=400 if form is not None else 200)


def _render_me(request, me: Staff, *, form=None, away_form=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "web/me.html",
        {
            "me": me,
            "form": form or CoverageForm(initial=CoverageForm.initial_for(me), staff=me, colleagues=colleagues(me)),
            "away_form": away_form or OutOfOfficeForm(staff=me),
            "absences": absences(me),
            "covering": covering(me),
            "backing_up": me.backing_up.filter(user__is_active=True).order_by("name"),
            "nav": "me",
        },
        status=status,
    )


@require_POST
@staff_required
def my_away(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form, done = set_away(request, me)
    if done:
        return redirect(reverse("web:me") + "#out-of-office")
    return _render_me(request, me, away_form=form, status=400)


@require_POST
@staff_required
def my_away_cancel(request: HttpRequest, absence_id: int) -> HttpResponse:
    cancel_away(request, _me(request), absence_id)
    return redirect(reverse("web:me") + "#out-of-office")


# --- The on-call rota -------------------------------------------------------------------


@supervisor_required
def on_call(request: HttpRequest, program_id: int) -> HttpResponse:
    """GET: the rota. POST: add a period, or with `remove` (its id) remove one."""
    program = get_object_or_404(Program.objects.filter(organization_id=request.staff.organization_id), pk=program_id)
    staff = colleagues(request.staff)
    back = redirect("web:on-call", program_id=program.pk)
    form = None
    if request.method == "POST" and "remove" in request.POST:
        period = _period(program, request.POST["remove"])
        try:
            rota.remove_on_call(period, by=request.staff, via="web")
        except rota.RotaError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Removed: {period.staff.name}, {period.describe()}.")
        return back
    if request.method == "POST":
        form = OnCallForm(request.POST, staff=staff)
        if form.is_valid():
            try:
                period = rota.add_on_call(program, **form.period(), by=request.staff, via="web")
            except rota.RotaError as error:
                form.refuse(error)
            else:
                messages.success(request, f"Added: {period.staff.name}, {period.describe()}.")
                return back
        messages.error(request, "The on-call period needs a fix; see the message next to it.")
    return render(
        request,
        "web/on_call.html",
        {
            "program": program,
            "programs": Program.objects.filter(organization_id=request.staff.organization_id),
            "periods": program.on_call_periods.select_related("staff__user"),
            "gaps": rota.gaps(program),
            "form": form or OnCallForm(staff=staff, initial={
                "timezone": request.staff.timezone, "starts_day": "5", "starts_time": "17:00",
                "ends_day": "1", "ends_time": "09:00",
            }),
            "nav": "settings",
        },
        status=400 if form is not None else 200,
    )  # fmt: skip


def _period(program: Program, raw_id: str) -> OnCallPeriod:
    """One of this program's periods; anything else is not found."""
    try:
        return program.on_call_periods.select_related("staff", "program").get(pk=int(raw_id))
    except (ValueError, OnCallPeriod.DoesNotExist):
        raise Http404("No such on-call period in this program.") from None
