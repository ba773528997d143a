"""The supervisor's review: the escalation log across the organization,
response times and caseloads, escalations by cause (crisis or no
acknowledgement), engagement per supporter and program (alerts.review with
care.review's contact figures), and the CSV of the filtered log (a
disclosure: posted with a purpose and a recipient, recorded before the file
is returned, the notice in its first row). It reads through alerts.review,
as /api/v1/review/... does, so the two always agree."""

import csv
import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from alerts import review
from care import review as care_review
from checkins.models import Program
from records.models import Disclosure
from web import charts, disclosures, scores
from web.access import supervisor_required
from web.forms import LogFilterForm

PAGE_SIZE = 50
CSV_DATA = "Escalation log: alerts (member first name and last initial, topic, severity, reasons, status, outcome)"
CSV_WHAT = (
    "The escalation log as filtered on the review page: one row per alert, with the member's first name and "
    "last initial, the supporter, topic, severity, reasons, status, times and outcome."
)
CSV_COLUMNS = [
    "alert_id", "created_at", "member", "supporter", "topic", "severity", "status", "escalation_level",
    "reasons", "acknowledged_at", "acknowledged_by", "seconds_to_acknowledge", "resolved_at", "resolved_by",
    "outcome",
]


def _filters(request: HttpRequest) -> LogFilterForm:
    return LogFilterForm(request.GET or None, organization_id=request.staff.organization_id)


@supervisor_required
def review_page(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    log_filter = form.log_filter()
    alerts = review.alert_log(request.staff, log_filter)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    engagement = care_review.engagement(request.staff, log_filter)
    chart = charts.share_bars(
        "Check-in response rate per supporter",
        [(row["name"], row["response_rate"]) for row in engagement.per_supporter],
        chart_id="response-chart",
    )
    return render(
        request,
        "web/review.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "times": review.response_times(request.staff, log_filter),
            "engagement": engagement,
            "response_chart": chart,
            "series_summaries": scores.program_summaries(
                Program.objects.filter(organization_id=request.staff.organization_id)
            ),
            "engagement_tables": [
                {"kind": "Supporter", "rows": engagement.per_supporter},
                {"kind": "Program", "rows": engagement.per_program},
            ],
            "nav": "review",
        },
    )


def _cell(value: object) -> str:
    """Free text (outcomes, notes) goes into spreadsheets: a cell starting with
    = + - @ would run as a formula there, so it is quoted as text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _iso(moment) -> str:
    return moment.astimezone(dt.UTC).isoformat() if moment else ""


@supervisor_required
def review_csv(request: HttpRequest) -> HttpResponse:
    """GET: the form asking why and to whom (the filters ride in the query).
    POST with a purpose and a recipient: the disclosure is recorded, then the
    file, the notice in its first row."""
    form = disclosures.purpose_form(request)
    if not form.is_bound or not form.is_valid():
        return disclosures.ask(
            request, form, title="Export the escalation log", what=CSV_WHAT, button="Download the CSV",
            in_file=True, back=(reverse("web:review") + (f"?{request.GET.urlencode()}" if request.GET else ""), "Review"),
        )  # fmt: skip
    alerts = review.alert_log(request.staff, _filters(request).log_filter()).select_related(
        "acknowledged_by", "resolved_by"
    )
    rows, member_ids = [], set()
    for alert in alerts.iterator(chunk_size=500):
        member_ids.add(alert.member_id)
        rows.append(
            [
                _cell(v)
                for v in (
                    alert.pk,
                    _iso(alert.created_at),
                    alert.member.short_name,
                    alert.supporter.name,
                    alert.topic,
                    alert.severity,
                    alert.status,
                    alert.escalation_level,
                    " ".join(alert.reasons),
                    _iso(alert.acknowledged_at),
                    alert.acknowledged_by.name if alert.acknowledged_by else "",
                    "" if alert.time_to_acknowledge is None else round(alert.time_to_acknowledge),
                    _iso(alert.resolved_at),
                    alert.resolved_by.name if alert.resolved_by else "",
                    alert.outcome,
                )
            ]
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    filename = f"escalation-log-{stamp}.csv"
    disclosure = disclosures.disclose(
        request, form, channel=Disclosure.Channel.EXPORT, data=CSV_DATA, member_ids=member_ids,
        detail=f"{filename} ({request.GET.urlencode() or 'no filter'})",
    )  # fmt: skip
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    disclosures.notice_rows(writer, disclosure.notice, _cell)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return response
