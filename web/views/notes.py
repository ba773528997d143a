"""The supervisor's export of contact notes for a period, for billing:
POST /review/notes.csv with from=YYYY-MM-DD, to=YYYY-MM-DD (both days
included, by the day of the contact), a purpose and a recipient (a
disclosure, recorded before the file is returned; a GET shows the form).
Same access as the escalation log's CSV: supervisors of the organization,
nobody else's notes. The file's first row is the disclosure notice.

One row per contact as it finally stands: a note corrected by a later one is
left out, its correction is exported (with `corrects_note_id`). Members are
named by first name and last initial. Units are 15-minute billing units by
the 8-minute rule (care.models.billing_units: under 8 minutes none, 8-22 one,
23-37 two, 38-52 three, ...)."""

import csv

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from care.models import ContactNote
from records.models import Disclosure
from web import disclosures
from web.access import supervisor_required
from web.forms import NotesPeriodForm
from web.views.review import _cell

CSV_COLUMNS = [
    "note_id", "date", "start", "end", "duration_minutes", "units_15_min", "modality", "staff", "member",
    "intervention", "response", "plan", "outcome", "follow_up_on", "alert_id", "corrects_note_id",
]  # fmt: skip
CSV_DATA = "Contact notes (billing): date, times, units, modality, staff, member first name and last initial, what was done, response, plan"
CSV_WHAT = (
    "Every contact note in the period as it finally stands: date, times, duration and 15-minute units, "
    "modality, staff, the member's first name and last initial, what was done, their response and the plan."
)


def _clock(moment) -> str:
    """The start or end as the staff member entered it: in their own time zone."""
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


@supervisor_required
def notes_csv(request: HttpRequest) -> HttpResponse:
    """GET: the form (period, purpose, recipient). POST: the disclosure is
    recorded, then the file, the notice in its first row."""
    form = disclosures.purpose_form(request)
    source = request.POST if request.method == "POST" else request.GET
    period = NotesPeriodForm(source)
    if not form.is_bound or not (form.is_valid() & period.is_valid()):
        return disclosures.ask(
            request, form, title="Export contact notes", what=CSV_WHAT, button="Download the CSV", in_file=True,
            back=(reverse("web:review") + "#notes-title", "Review"),
            period={"from": source.get("from", ""), "to": source.get("to", ""),
                    "problem": period.problem() if form.is_bound and period.errors else ""},
        )  # fmt: skip
    start, end = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
    notes = (
        ContactNote.objects.visible_to(request.staff)
        .current()
        .filter(contact_date__gte=start, contact_date__lte=end)
        .select_related("staff", "member")
        .order_by("contact_date", "started_at", "id")
    )
    rows, member_ids = [], set()
    for note in notes.iterator(chunk_size=500):
        member_ids.add(note.member_id)
        rows.append(
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
    filename = f"contact-notes-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    disclosure = disclosures.disclose(
        request, form, channel=Disclosure.Channel.EXPORT, data=CSV_DATA, member_ids=member_ids, detail=filename
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    disclosures.notice_rows(writer, disclosure.notice, _cell)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return response
