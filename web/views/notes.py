"""The supervisor's export of contact notes for a period, for billing:
/review/notes.csv?from=YYYY-MM-DD&to=YYYY-MM-DD (both days included, by the
day of the contact). Same access as the escalation log's CSV: supervisors of
the organization, nobody else's notes.

One row per contact as it finally stands: a note corrected by a later one is
left out, its correction is exported (with `corrects_note_id`). Members are
named by first name and last initial. Units are 15-minute billing units by
the 8-minute rule (care.models.billing_units: under 8 minutes none, 8-22 one,
23-37 two, 38-52 three, ...)."""

import csv

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from care.models import ContactNote
from web.access import supervisor_required
from web.forms import NotesPeriodForm
from web.views.review import _cell

CSV_COLUMNS = [
    "note_id", "date", "start", "end", "duration_minutes", "units_15_min", "modality", "staff", "member",
    "intervention", "response", "plan", "outcome", "follow_up_on", "alert_id", "corrects_note_id",
]  # fmt: skip


def _clock(moment) -> str:
    """The start or end as the staff member entered it: in their own time zone."""
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


@supervisor_required
def notes_csv(request: HttpRequest) -> HttpResponse:
    period = NotesPeriodForm(request.GET)
    if not period.is_valid():
        return HttpResponse(
            f"{period.problem()} Use /review/notes.csv?from=YYYY-MM-DD&to=YYYY-MM-DD.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    start, end = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
    notes = (
        ContactNote.objects.visible_to(request.staff)
        .current()
        .filter(contact_date__gte=start, contact_date__lte=end)
        .select_related("staff", "member")
        .order_by("contact_date", "started_at", "id")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="contact-notes-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for note in notes.iterator(chunk_size=500):
        writer.writerow(
            [
                _cell(v)
                for v in (
                    note.pk,
                    note.contact_date.isoformat(),
                    _clock(note.started_at),
                    _clock(note.ended_at),
                    note.duration_minutes,
                    note.units,
                    note.get_modality_display(),
                    note.staff.name,
                    note.member.short_name,
                    note.intervention,
                    note.response,
                    note.plan,
                    note.get_outcome_display(),
                    note.follow_up_on.isoformat() if note.follow_up_on else "",
                    note.alert_id or "",
                    note.corrects_id or "",
                )
            ]
        )
    return response
