"""The supervisors' members list: enrol, edit, discharge and reassign. Every
change goes through checkins.enrollment, as the API's does, so the same input
is refused with the same message (shown on its field) and written to the
audit log (via "web"). Another organization's member is not found (404)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Staff
from checkins.enrollment import EnrollmentError, discharge_member, enroll_member, reassign_members, update_member
from checkins.models import Member, Program
from web.access import supervisor_required
from web.service_forms import EnrolForm, MemberEditForm, ReassignForm, some_id

PAGE_SIZE = 50
# What the list shows: members staff can still text, or everyone.
SHOWN = {"current": ~Q(status=Member.Status.DISCHARGED), "discharged": Q(status=Member.Status.DISCHARGED), "all": Q()}


def _programs(request: HttpRequest):
    return Program.objects.filter(organization_id=request.staff.organization_id).order_by("name", "id")


def _staff(request: HttpRequest) -> list[Staff]:
    return list(Staff.objects.filter(organization_id=request.staff.organization_id).select_related("user"))


def _member(request: HttpRequest, member_id: int) -> Member:
    members = Member.objects.filter(organization_id=request.staff.organization_id)
    return get_object_or_404(members.select_related("supporter__user", "program"), pk=member_id)


@supervisor_required
def members_page(request: HttpRequest) -> HttpResponse:
    """GET: the list. POST: enrol a member."""
    staff = _staff(request)
    enrol = None
    if request.method == "POST":
        enrol = EnrolForm(request.POST, programs=_programs(request), staff=[s for s in staff if s.is_active])
        if enrol.is_valid():
            try:
                member = enroll_member(request.staff.organization, **enrol.enrolment(), by=request.staff, via="web")
            except EnrollmentError as error:
                enrol.refuse(error)
            else:
                messages.success(request, f"{member.name} enrolled: the welcome text is on its way.")
                return redirect("web:members")
        messages.error(request, "The enrolment needs a fix; see the message next to it.")
    return _render_list(request, staff, enrol=enrol)


@require_POST
@supervisor_required
def reassign(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = ReassignForm(request.POST, staff=staff)
    if form.is_valid():
        try:
            moved = reassign_members(
                request.staff.organization, form.ids(), some_id(form.value("supporter")), by=request.staff, via="web"
            )
        except EnrollmentError as error:
            form.refuse(error)
        else:
            to = next((s.name for s in staff if str(s.pk) == form.value("supporter")), "")
            messages.success(request, f"{len(moved)} member{'s' if len(moved) != 1 else ''} now with {to}.")
            return redirect(reverse("web:members") + (f"?{request.GET.urlencode()}" if request.GET else ""))
    messages.error(request, "The reassignment needs a fix; see the message next to it.")
    return _render_list(request, staff, reassign_form=form)


def _render_list(
    request: HttpRequest, staff: list[Staff], *, enrol: EnrolForm | None = None, reassign_form: ReassignForm | None = None
) -> HttpResponse:
    members = Member.objects.filter(organization_id=request.staff.organization_id)
    shown = request.GET.get("show", "current")
    members = members.filter(SHOWN.get(shown, SHOWN["current"]))
    supporter = next((s for s in staff if str(s.pk) == request.GET.get("supporter", "")), None)
    if supporter is not None:
        members = members.filter(supporter=supporter)
    page = Paginator(members.select_related("supporter__user", "program").order_by("name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    active = [s for s in staff if s.is_active]
    refused = enrol is not None or reassign_form is not None
    return render(
        request,
        "web/members.html",
        {
            "page": page,
            "query": query.urlencode(),
            "shown": shown if shown in SHOWN else "current",
            "staff": staff,
            "supporter": supporter,
            "enrol": enrol or EnrolForm(
                programs=_programs(request), staff=active,
                initial={"timezone": request.staff.timezone, "language": "en", "checkin_time": "09:00",
                         "supporter": "", "consent_method": "verbal"},
            ),
            "reassign": reassign_form or ReassignForm(staff=staff),
            "ticked": set(request.POST.getlist("member_ids")) if reassign_form is not None else set(),
            "nav": "members",
        },
        status=400 if refused else 200,
    )  # fmt: skip


@supervisor_required
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    staff = [s for s in _staff(request) if s.is_active or s.pk == member.supporter_id]
    kwargs = {"programs": _programs(request), "staff": staff, "member": member}
    if request.method == "POST":
        form = MemberEditForm(request.POST, **kwargs)
        if form.is_valid():
            changes = form.changes()
            try:
                if changes:
                    update_member(member, changes, by=request.staff, via="web")
            except EnrollmentError as error:
                form.refuse(error)
            else:
                messages.success(request, f"{member.name}’s details saved." if changes else "Nothing was changed.")
                return redirect("web:member-edit", member_id=member.pk)
        member.refresh_from_db()
        messages.error(request, "The change needs a fix; see the message next to it.")
        return render(request, "web/member_edit.html", {"member": member, "form": form, "nav": "members"}, status=400)
    form = MemberEditForm(initial=MemberEditForm.initial_for(member), **kwargs)
    return render(request, "web/member_edit.html", {"member": member, "form": form, "nav": "members"})


@supervisor_required
def member_discharge(request: HttpRequest, member_id: int) -> HttpResponse:
    """GET: are you sure? POST: discharge."""
    member = _member(request, member_id)
    if request.method == "POST":
        try:
            discharge_member(member, by=request.staff, via="web")
        except EnrollmentError as error:
            messages.error(request, error.message)
            return redirect("web:member-edit", member_id=member.pk)
        messages.success(request, f"{member.name} discharged: no more texts will be sent.")
        return redirect("web:members")
    return render(request, "web/member_discharge.html", {"member": member, "nav": "members"})
