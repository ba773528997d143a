"""The records pages of issue 15 (docs/privacy.md): consent on the member
page (withdraw with a reason, record again after a staff withdrawal), a
printout and the member's own copy (each a recorded disclosure, with the
notice), a member's accounting of disclosures, the access logs per member
and per staff member, the disclosures register and the organization's
disclosure notice.

Scope as everywhere: a member out of the staff member's scope is not found
(404) before any role is asked; a page for supervisors only is 403 to a
supporter."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.models import Staff
from checkins import consenting
from checkins import member_copy as copies
from checkins.models import CheckIn, Member
from records.access import log_view
from records.consent import ConsentError
from records.disclosure import accounting, notice_for, record_disclosure
from records.models import AccessEntry, Disclosure
from web import contact, disclosures
from web.access import staff_required, supervisor_required
from web.forms import NoticeForm, PeriodForm
from web.service_forms import ConsentAgainForm, WithdrawConsentForm
from web.views.members import CONTACT_NOTES_SHOWN, _member, _render

PAGE_SIZE = 50
PRINT_CHECKINS = 30
PRINT_DATA = "Member page: details, consent, check-ins and answers, texts, emergency contact and safety plan, contact notes"
PRINT_WHAT = (
    "The member's page as it stands: their details and consent, the last {n} check-ins with their answers, "
    "the last {t} texts both ways, the emergency contact and safety plan, and the latest contact notes."
)
COPY_DATA = "The member's own record: details, consent records, check-ins and answers, every text"


def _own_member(request: HttpRequest, member_id: int) -> Member:
    """A member of the organization; for a supporter, only their own (assigned) member."""
    members = Member.objects.filter(organization_id=request.staff.organization_id)
    if not request.staff.is_supervisor:
        members = members.filter(supporter=request.staff)
    return get_object_or_404(members.select_related("supporter", "program"), pk=member_id)


def _page(request: HttpRequest, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Consent ------------------------------------------------------------------------


@require_POST
@staff_required
def consent_withdraw(request: HttpRequest, member_id: int) -> HttpResponse:
    """Staff record that the member withdrew consent, with a reason: texts stop at once."""
    member = _member(request, member_id)
    form = WithdrawConsentForm(request.POST)
    form.is_valid()
    try:
        consenting.revoke_by_staff(member, staff=request.staff, reason=form.value("reason"), via="web")
    except ConsentError as error:
        if error.field not in form.fields:  # the member's state, not the form: say so at the top
            messages.error(request, error.message)
            return redirect(reverse("web:member", args=[member.pk]) + "#consent")
        form.refuse(error)
        messages.error(request, "The withdrawal needs a fix; see the message next to it.")
        member.refresh_from_db()
        return _render(request, member, withdraw_form=form, status=400)
    messages.success(request, "Consent withdrawn: no more texts will be sent.")
    return redirect(reverse("web:member", args=[member.pk]) + "#consent")


@require_POST
@staff_required
def consent_again(request: HttpRequest, member_id: int) -> HttpResponse:
    """Record consent again (verbal or written) after staff withdrew it."""
    member = _member(request, member_id)
    form = ConsentAgainForm(request.POST)
    try:
        if not form.is_valid():
            raise ConsentError("method", "Choose how they agreed: verbal or written.")
        consenting.grant_by_staff(member, staff=request.staff, method=form.cleaned_data["method"], via="web")
    except ConsentError as error:
        if error.field == "status":  # discharged meanwhile
            messages.error(request, error.message)
            return redirect(reverse("web:member", args=[member.pk]) + "#consent")
        form.errors.pop("method", None)
        form.refuse(error)
        messages.error(request, "Consent was not recorded; see the message next to it.")
        member.refresh_from_db()
        return _render(request, member, consent_form=form, status=400)
    messages.success(request, "Consent recorded: texts and check-ins resume.")
    return redirect(reverse("web:member", args=[member.pk]) + "#consent")


# --- A printout and the member's own copy ------------------------------------------


@staff_required
def member_print(request: HttpRequest, member_id: int) -> HttpResponse:
    """GET: why and to whom. POST: the disclosure is recorded, then the print view."""
    member = _member(request, member_id)
    form = disclosures.purpose_form(request)
    if not form.is_bound or not form.is_valid():
        return disclosures.ask(
            request, form, title=f"Print {member.name}’s page", button="Show the print view",
            what=PRINT_WHAT.format(n=PRINT_CHECKINS, t=contact.THREAD_LENGTH),
            back=(reverse("web:member", args=[member.pk]), member.name),
        )  # fmt: skip
    disclosure = disclosures.disclose(
        request, form, channel=Disclosure.Channel.PRINT, data=PRINT_DATA, member_ids=[member.pk],
        detail=reverse("web:member-print", args=[member.pk]),
    )  # fmt: skip
    log_view(request.staff, member, "web:member print")
    checkins = (
        member.checkins.exclude(status=CheckIn.Status.SKIPPED)
        .order_by("-started_at", "-id")
        .prefetch_related("answers__question")[:PRINT_CHECKINS]
    )
    return render(
        request,
        "web/member_print.html",
        {
            "member": member,
            "disclosure": disclosure,
            "printed_at": timezone.now(),
            "consent_records": member.consent_records.select_related("staff").order_by("-at", "-id"),
            "checkins": checkins,
            "thread": contact.thread(member),
            "contact_notes": member.contact_notes.select_related("staff").prefetch_related("corrections")[
                :CONTACT_NOTES_SHOWN
            ],
            "printing": True,
        },
    )


@require_POST
@staff_required
def member_copy(request: HttpRequest, member_id: int) -> HttpResponse:
    """The member's own record as a text file: a disclosure to the member."""
    member = _member(request, member_id)
    notice = notice_for(request.staff.organization)
    body = copies.member_copy(member, notice)
    filename = f"record-{member.pk}-{timezone.localdate():%Y%m%d}.txt"
    record_disclosure(
        organization=request.staff.organization, staff=request.staff, channel=Disclosure.Channel.MEMBER_COPY,
        data=COPY_DATA, purpose=copies.PURPOSE, recipient="The member", member_ids=[member.pk], detail=filename,
    )  # fmt: skip
    log_view(request.staff, member, "web:member copy")
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The accounting of disclosures and the access logs --------------------------


@staff_required
def member_accounting(request: HttpRequest, member_id: int) -> HttpResponse:
    """Every disclosure that held this member in the period, oldest first: for
    supervisors and the member's own supporter."""
    member = _own_member(request, member_id)
    period = PeriodForm(request.GET)
    start, end = period.moments()
    first, last = period.bounds()
    return render(
        request,
        "web/member_accounting.html",
        {
            "member": member,
            "period": period,
            "first": first,
            "last": last,
            "disclosures": accounting(member, start, end),
            "nav": "members" if request.staff.is_supervisor else "home",
        },
        status=400 if period.errors else 200,
    )


@staff_required
def member_access(request: HttpRequest, member_id: int) -> HttpResponse:
    """Who viewed this member's answers, conversation or notes, newest first (supervisors)."""
    member = _own_member(request, member_id)
    if not request.staff.is_supervisor:
        raise PermissionDenied("Only supervisors can open this page.")
    entries = AccessEntry.objects.filter(member=member).select_related("staff").order_by("-at", "-id")
    return render(request, "web/access_log.html", {"member": member, "page": _page(request, entries), "nav": "members"})


@supervisor_required
def staff_access(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Which members' answers, conversation or notes this staff member viewed, newest first."""
    person = get_object_or_404(Staff.objects.filter(organization_id=request.staff.organization_id), pk=staff_id)
    entries = AccessEntry.objects.filter(staff=person, organization_id=person.organization_id)
    entries = entries.select_related("member").order_by("-at", "-id")
    return render(request, "web/access_log.html", {"person": person, "page": _page(request, entries), "nav": "staff"})


# --- The register and the notice ----------------------------------------------------


@supervisor_required
def disclosures_page(request: HttpRequest) -> HttpResponse:
    channel = request.GET.get("channel", "")
    if channel not in Disclosure.Channel.values:
        channel = ""
    rows = Disclosure.objects.filter(organization_id=request.staff.organization_id).select_related("staff")
    if channel:
        rows = rows.filter(channel=channel)
    page = _page(request, rows.order_by("-at", "-id"))
    return render(
        request,
        "web/disclosures.html",
        {
            "page": page,
            "channel": channel,
            "channels": Disclosure.Channel.choices,
            "query": f"channel={channel}" if channel else "",
            "nav": "disclosures",
        },
    )


@supervisor_required
def notice_settings(request: HttpRequest) -> HttpResponse:
    organization = request.staff.organization
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            words = form.cleaned_data["notice"].strip()
            before = "custom" if organization.disclosure_notice.strip() else "default"
            organization.disclosure_notice = words
            organization.save(update_fields=["disclosure_notice"])
            audit.record(
                organization, request.staff, "organization.notice_changed", organization,
                changes={"disclosure_notice": [before, "custom" if words else "default"]},
            )  # fmt: skip
            messages.success(request, "Disclosure notice saved." if words else "The notice is back to the rule’s own words.")
            return redirect("web:notice")
        messages.error(request, form.problem())
        status = 400
    else:
        form = NoticeForm(initial={"notice": organization.disclosure_notice})
        status = 200
    return render(
        request,
        "web/notice.html",
        {"form": form, "current": notice_for(organization), "custom": bool(organization.disclosure_notice.strip()),
         "nav": "settings"},
        status=status,
    )  # fmt: skip
