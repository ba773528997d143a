"""Member data that leaves the web app (a CSV, a printout, a member's own
copy) goes through here: a form asks the purpose and the recipient, the
disclosure is recorded (records.disclosure) before anything is handed over,
and the notice goes with it (docs/privacy.md)."""

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from records.disclosure import notice_for, record_disclosure
from records.models import Disclosure
from web.service_forms import DisclosureForm


def purpose_form(request: HttpRequest) -> DisclosureForm:
    """Bound to what was posted; a GET is never a disclosure, only the form."""
    return DisclosureForm(request.POST if request.method == "POST" else None)


def ask(request: HttpRequest, form: DisclosureForm, *, status: int | None = None, **page) -> HttpResponse:
    """The form that asks why and to whom (web/disclose.html): `title`,
    `what` (a sentence on what leaves), `button`, `back` (url, label) and,
    for a file, `in_file` (where the notice goes in it)."""
    if status is None:
        status = 400 if form.is_bound else 200
    context = {"form": form, "notice": notice_for(request.staff.organization), **page}
    return render(request, "web/disclose.html", context, status=status)


def disclose(
    request: HttpRequest, form: DisclosureForm, *, channel: str, data: str, member_ids: Iterable[int], detail: str
) -> Disclosure:
    return record_disclosure(
        organization=request.staff.organization,
        staff=request.staff,
        channel=channel,
        data=data,
        purpose=form.cleaned_data["purpose"],
        recipient=form.cleaned_data["recipient"],
        member_ids=member_ids,
        detail=detail,
    )


def notice_rows(writer, notice: str, cell) -> None:
    """A CSV's first row is the notice in a cell of its own, then a blank row."""
    writer.writerow([cell(notice)])
    writer.writerow([])
