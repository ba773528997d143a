"""Program settings for supervisors: the questions' texts (en/es), the
schedule and sending window, rule thresholds and the acknowledgement timeout.
The same limits as PATCH /api/v1/programs/{id} (config.limits), and the
same locked rules (RuleSetting.LOCKED_AT_LEAST)."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from alerts.models import RuleSetting
from checkins.models import Program
from web.access import supervisor_required
from web.forms import ProgramForm, QuestionFormSet, RuleFormSet


@supervisor_required
def program_settings(request: HttpRequest, program_id: int | None = None) -> HttpResponse:
    programs = Program.objects.filter(organization_id=request.staff.organization_id)
    program = get_object_or_404(programs, pk=program_id) if program_id else programs.first()
    if program is None:
        return render(request, "web/program.html", {"programs": [], "program": None, "nav": "settings"})
    # Every rule has a row to tune, also in a program made without them (in
    # the admin, say); until then the rules run on their built-in defaults.
    if program.rules.count() < len(RuleSetting.Kind):
        RuleSetting.install_defaults(program)
    data = request.POST if request.method == "POST" else None
    form = ProgramForm(data, instance=program, prefix="program")
    questions = QuestionFormSet(
        data, queryset=program.questions.filter(is_active=True).order_by("position", "id"), prefix="questions"
    )
    rules = RuleFormSet(data, queryset=program.rules.select_related("program").order_by("id"), prefix="rules")
    if request.method == "POST":
        if form.is_valid() and questions.is_valid() and rules.is_valid():
            with transaction.atomic():
                form.save()
                questions.save()
                rules.save()
            messages.success(request, "Program settings saved. They apply from the next check-in and alert.")
            return redirect("web:program", program_id=program.pk)
        messages.error(request, "Some settings need a fix; see the messages next to them.")
    return render(
        request,
        "web/program.html",
        {
            "programs": programs,
            "program": program,
            "form": form,
            "questions": questions,
            "rules": rules,
            "locked": list(RuleSetting.LOCKED_AT_LEAST),
            "nav": "settings",
        },
        status=400 if request.method == "POST" else 200,
    )
