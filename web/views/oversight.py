"""Two supervisor pages that read and change nothing: the caseload (one row
per supporter, care.caseload's, as the API's) and the audit log of
administrative changes (accounts.AuditEntry), newest first, for one member or
one staff member if asked."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import AuditEntry, Staff
from alerts.models import Severity
from care.caseload import SILENT_DAYS, SORTS, caseload
from checkins.models import Member
from web.access import supervisor_required

AUDIT_PAGE_SIZE = 50
COLUMNS = [
    ("name", "Supporter"), ("members", "Members"), ("alerts", "Open alerts"), ("overdue", "Overdue follow-ups"),
    ("silent", f"Silent {SILENT_DAYS}+ days"), ("last_contact", "Last contact"),
]  # fmt: skip
ACTIONS = {
    "member.enrolled": "Enrolled", "member.updated": "Details changed", "member.discharged": "Discharged",
    "member.reassigned": "Reassigned", "member.paused": "Paused", "member.resumed": "Resumed",
    "member.resumed_by_schedule": "Resumed (pause ended)", "staff.added": "Staff added",
    "staff.updated": "Staff details changed", "staff.deactivated": "Deactivated",
    "out_of_office.set": "Out of office set", "out_of_office.cancelled": "Out of office cancelled",
    "on_call.added": "On-call period added", "on_call.removed": "On-call period removed",
    "member.consent_granted": "Consent recorded by staff", "member.consent_revoked": "Consent withdrawn by staff",
    "organization.notice_changed": "Disclosure notice changed",
}  # fmt: skip


@supervisor_required
def caseload_page(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    if sort.lstrip("-") not in SORTS or sort.count("-") > 1:
        sort = "name"
    key, descending = sort.lstrip("-"), sort.startswith("-")
    columns = [
        {
            "key": column,
            "label": label,
            # A second click on the sorted column reverses it.
            "href": f"?sort={'' if descending or column != key else '-'}{column}",
            "sorted": ("descending" if descending else "ascending") if column == key else "",
            # Names sort A to Z; numbers largest first, last contact longest ago first.
            "order": ("Z to A" if descending else "A to Z") if column == "name" else (
                "smallest first" if descending else "largest first"),
        }
        for column, label in COLUMNS
    ]  # fmt: skip
    for column in columns:
        if column["key"] == "last_contact":
            column["order"] = "most recent first" if descending else "longest ago first"
    return render(
        request,
        "web/caseload.html",
        {
            "loads": caseload(request.staff.organization, sort),
            "columns": columns,
            "sort": sort,
            "severities": list(reversed(Severity.values)),
            "silent_days": SILENT_DAYS,
            "nav": "caseload",
        },
    )


@supervisor_required
def audit_page(request: HttpRequest) -> HttpResponse:
    org_id = request.staff.organization_id
    entries = AuditEntry.objects.filter(organization_id=org_id).select_related("actor")
    member = person = None
    if request.GET.get("member"):
        member = get_object_or_404(Member.objects.filter(organization_id=org_id), pk=_id(request.GET["member"]))
        entries = entries.filter(target_type="member", target_id=member.pk)
    if request.GET.get("staff"):
        person = get_object_or_404(Staff.objects.filter(organization_id=org_id), pk=_id(request.GET["staff"]))
        entries = entries.filter(Q(target_type="staff", target_id=person.pk) | Q(actor=person))
    page = Paginator(entries.order_by("-at", "-id"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    for entry in page:
        entry.action_label = ACTIONS.get(entry.action, entry.action)
    return render(
        request,
        "web/audit.html",
        {
            "page": page,
            "query": query.urlencode(),
            "member": member,
            "person": person,
            "members": Member.objects.filter(organization_id=org_id).only("id", "name").order_by("name", "id"),
            "staff": Staff.objects.filter(organization_id=org_id).only("id", "name").order_by("name", "id"),
            "nav": "audit",
        },
    )


def _id(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) <= 12 else 0
